using System.Globalization;
using Shepherd.Data.Alerting;

namespace Shepherd.Operations.Alerting;

/// <summary>
/// What mutes an alert: a silence whose label matches the rule, or a maintenance window that is open now and covers the rule's
/// severity. Pure functions of the rows and the time, shared by the evaluator and the pages that show them.
/// </summary>
public static class AlertSuppression
{
    public static readonly IReadOnlyList<string> DayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    /// <summary>What mutes <paramref name="rule"/> at <paramref name="now"/> ("silence 4: upgrading the disk", "maintenance window Sunday nights"); null when nothing does.</summary>
    public static string? SuppressedBy(AlertRule rule, IEnumerable<AlertSilence> silences, IEnumerable<AlertMaintenanceWindow> windows, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var labels = AlertRules.LabelsOf(rule);
        var silence = silences.FirstOrDefault(s => IsActive(s, now) && labels.TryGetValue(s.Label, out var value) && value == s.Value);
        if (silence is not null)
        {
            return $"silence {silence.Id.ToString(CultureInfo.InvariantCulture)}: {silence.Reason}";
        }
        var window = windows.FirstOrDefault(w => Mutes(w, rule.Severity) && OpenOccurrence(w, now) is not null);
        return window is null ? null : $"maintenance window {window.Name}";
    }

    public static bool IsActive(AlertSilence silence, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(silence);
        return silence.StartsAt <= now && now < silence.EndsAt;
    }

    public static bool Mutes(AlertMaintenanceWindow window, AlertSeverity severity)
    {
        ArgumentNullException.ThrowIfNull(window);
        return window.Enabled && ParseSeverities(window.Severities).Contains(severity);
    }

    /// <summary>The occurrence of the window that is open at <paramref name="now"/> (UTC start and end), or null.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End)? OpenOccurrence(AlertMaintenanceWindow window, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (!window.Enabled || FindZone(window.TimeZone) is not { } zone)
        {
            return null;
        }
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        // A window of up to a day can have started yesterday and still be open.
        for (var day = today.AddDays(-1); day <= today; day = day.AddDays(1))
        {
            if (Occurrence(window, zone, day) is { } occurrence && occurrence.Start <= now && now < occurrence.End)
            {
                return occurrence;
            }
        }
        return null;
    }

    /// <summary>When the window next opens after <paramref name="now"/> (UTC), or null when it never does (disabled, no days).</summary>
    public static DateTimeOffset? NextStart(AlertMaintenanceWindow window, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (!window.Enabled || FindZone(window.TimeZone) is not { } zone)
        {
            return null;
        }
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        for (var day = today; day <= today.AddDays(8); day = day.AddDays(1))
        {
            if (Occurrence(window, zone, day) is { } occurrence && occurrence.Start > now)
            {
                return occurrence.Start;
            }
        }
        return null;
    }

    /// <summary>The days named in <paramref name="days"/> ("Mon,Tue"); empty means every day. Unknown names are left out (see <see cref="DaysProblem"/>).</summary>
    public static IReadOnlySet<DayOfWeek> ParseDays(string days)
    {
        var named = Split(days).Select(d => DayNames.ToList().FindIndex(n => n.Equals(d, StringComparison.OrdinalIgnoreCase)))
            .Where(i => i >= 0).Select(i => (DayOfWeek)i).ToHashSet();
        return named.Count == 0 ? Enum.GetValues<DayOfWeek>().ToHashSet() : named;
    }

    /// <summary>Why a days list is not usable, or null.</summary>
    public static string? DaysProblem(string days)
    {
        var unknown = Split(days).Where(d => !DayNames.Contains(d, StringComparer.OrdinalIgnoreCase)).ToList();
        return unknown.Count == 0 ? null : $"'{string.Join(", ", unknown)}' is not a day: use {string.Join(", ", DayNames)} separated by commas, or leave it empty for every day";
    }

    public static IReadOnlySet<AlertSeverity> ParseSeverities(string severities) =>
        Split(severities).Select(s => Enum.TryParse<AlertSeverity>(s, ignoreCase: true, out var severity) ? severity : (AlertSeverity?)null)
            .OfType<AlertSeverity>().ToHashSet();

    /// <summary>Why a severities list is not usable, or null.</summary>
    public static string? SeveritiesProblem(string severities)
    {
        var parts = Split(severities).ToList();
        if (parts.Count == 0)
        {
            return "name at least one severity (P0, P1, P2, P3), separated by commas";
        }
        var unknown = parts.Where(s => !Enum.TryParse<AlertSeverity>(s, ignoreCase: true, out _) || int.TryParse(s, out _)).ToList();
        return unknown.Count == 0 ? null : $"'{string.Join(", ", unknown)}' is not a severity: use P0, P1, P2 or P3";
    }

    /// <summary>The zone with this IANA id, or null.</summary>
    public static TimeZoneInfo? FindZone(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;

    private static (DateTimeOffset Start, DateTimeOffset End)? Occurrence(AlertMaintenanceWindow window, TimeZoneInfo zone, DateOnly day)
    {
        if (!ParseDays(window.Days).Contains(day.DayOfWeek))
        {
            return null;
        }
        var local = day.ToDateTime(window.Start);
        // A start that falls in a daylight-saving gap begins when the clocks have moved on.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }
        var start = new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
        return (start, start.AddMinutes(window.DurationMinutes));
    }

    private static IEnumerable<string> Split(string text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
