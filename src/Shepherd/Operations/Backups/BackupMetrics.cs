using System.Diagnostics.Metrics;

namespace Shepherd.Operations.Backups;

/// <summary>
/// The meter "Shepherd.Backups": the latest results as observable gauges (read from <see cref="BackupStatus"/> when a
/// listener collects) and counters of runs and failures. Exporting them (OpenTelemetry, /metrics) is done elsewhere.
/// </summary>
public sealed class BackupMetrics
{
    public const string MeterName = "Shepherd.Backups";

    private readonly Counter<long> _runs;
    private readonly Counter<long> _failures;

    public BackupMetrics(IMeterFactory meters, BackupStatus status, TimeProvider clock)
    {
        Meter = meters.Create(MeterName);
        Meter.CreateObservableGauge("shepherd.backup.last_success.age", () => Optional<double>(status.Current.LastSuccessAt is { } at ? (clock.GetUtcNow() - at).TotalSeconds : null),
            unit: "s", description: "Seconds since the newest successful (verified) backup was created.");
        Meter.CreateObservableGauge("shepherd.backup.last.size", () => Optional<long>(status.Current.LastSize),
            unit: "By", description: "Size of the newest successful backup file.");
        Meter.CreateObservableGauge("shepherd.backup.last.duration", () => Optional<double>(status.Current.LastDuration?.TotalSeconds),
            unit: "s", description: "How long creating the newest successful backup took.");
        Meter.CreateObservableGauge("shepherd.backup.last_verify.result", () => Optional<int>(status.Current.LastVerifyPassed is { } passed ? passed ? 1 : 0 : null),
            description: "1 when the latest verification (a real restore) passed, 0 when it failed.");
        _runs = Meter.CreateCounter<long>("shepherd.backup.runs", description: "Scheduled backup runs.");
        _failures = Meter.CreateCounter<long>("shepherd.backup.failures", description: "Scheduled backup runs that did not produce a verified backup.");
    }

    public Meter Meter { get; }

    public void Recorded(BackupRun run)
    {
        _runs.Add(1);
        if (!run.Succeeded)
        {
            _failures.Add(1);
        }
    }

    // No measurement at all while the value is unknown: a zero age or size would read as a fresh, empty backup.
    private static IEnumerable<Measurement<T>> Optional<T>(T? value) where T : struct =>
        value is { } v ? [new Measurement<T>(v)] : [];
}
