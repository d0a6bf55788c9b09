using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Shepherd.Operations.OperationsPage;

/// <summary>How the Operations page writes numbers and times: invariant culture, UTC, units spelled out.</summary>
public static class Display
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Number(double value) => value.ToString("#,0.##", Invariant);

    public static string Count(long value) => value.ToString("#,0", Invariant);

    public static string Ms(double value) => value.ToString(value < 10 ? "0.##" : "#,0.#", Invariant) + " ms";

    public static string Percent(double fraction) => (fraction * 100).ToString("0.##", Invariant) + " %";

    public static string PerSecond(double value) => value.ToString("0.###", Invariant) + "/s";

    public static string Bytes(long bytes) => bytes switch
    {
        <= 0 => "0",
        < 1 << 20 => (bytes / 1024.0).ToString("#,0.#", Invariant) + " KiB",
        < 1 << 30 => (bytes / 1048576.0).ToString("#,0.#", Invariant) + " MiB",
        _ => (bytes / 1073741824.0).ToString("#,0.##", Invariant) + " GiB",
    };

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", Invariant);

    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var ago = now - at;
        return ago switch
        {
            { TotalSeconds: < 60 } => $"{Math.Max(0, (int)ago.TotalSeconds)} s ago",
            { TotalMinutes: < 60 } => $"{(int)ago.TotalMinutes} min ago",
            { TotalHours: < 48 } => $"{(int)ago.TotalHours} h ago",
            _ => $"{(int)ago.TotalDays} days ago",
        };
    }

    public static string Duration(TimeSpan span) => span.TotalMilliseconds.ToString("#,0.#", Invariant) + " ms";

    public static string StatusClass(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "ok",
        HealthStatus.Degraded => "warn",
        _ => "bad",
    };
}
