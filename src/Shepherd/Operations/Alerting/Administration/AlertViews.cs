using Shepherd.Data.Alerting;

namespace Shepherd.Operations.Alerting.Administration;

/// <summary>What a rule is doing now, for people and for the API.</summary>
public enum AlertState
{
    Inactive,
    Pending,
    Firing,

    /// <summary>Firing, but a silence or a maintenance window mutes it.</summary>
    Silenced,
}

/// <param name="Text">The threshold as people read it ("5 %", "0.5 s").</param>
public sealed record ThresholdView(double Value, ThresholdUnit Unit, string Text)
{
    public static ThresholdView Of(AlertThreshold threshold) => new(threshold.Value, threshold.Unit, threshold.ToString());
}

public sealed record IncidentView(
    long Id, string Rule, AlertSeverity Severity, AlertStatus Status, string Summary, double Threshold, double Value, double PeakValue,
    DateTimeOffset PendingSince, DateTimeOffset? FiredAt, DateTimeOffset? ResolvedAt, int Notifications,
    DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, DateTimeOffset? EscalatedAt, string? SuppressedBy)
{
    public static IncidentView Of(AlertIncident i) => new(
        i.Id, i.RuleName, i.Severity, i.Status, i.Summary, i.Threshold, i.Value, i.PeakValue, i.PendingSince, i.FiredAt, i.ResolvedAt,
        i.NotificationCount, i.AcknowledgedAt, i.AcknowledgedBy, i.EscalatedAt, i.SuppressedBy);

    /// <summary>How long it fired (until now while it still fires); null when it never fired.</summary>
    public TimeSpan? Duration(DateTimeOffset now) => FiredAt is { } fired ? (ResolvedAt ?? now) - fired : null;
}

/// <param name="For">How long the condition must hold before the rule fires, in seconds.</param>
/// <param name="Incident">The open (pending or firing) incident, if any.</param>
public sealed record RuleView(
    string Name, AlertSeverity Severity, string? Area, string Summary, double For, ThresholdView Threshold, ThresholdView DefaultThreshold,
    bool Enabled, string Runbook, AlertState State, IncidentView? Incident);

public sealed record SilenceView(
    long Id, string Label, string Value, string Reason, DateTimeOffset StartsAt, DateTimeOffset EndsAt, bool Active,
    DateTimeOffset CreatedAt, string CreatedBy)
{
    public static SilenceView Of(AlertSilence s, DateTimeOffset now) =>
        new(s.Id, s.Label, s.Value, s.Reason, s.StartsAt, s.EndsAt, AlertSuppression.IsActive(s, now), s.CreatedAt, s.CreatedBy);
}

/// <param name="Start">Local start time ("HH:mm") in <paramref name="TimeZone"/>.</param>
/// <param name="OpenNow">Whether an occurrence is open at this moment.</param>
/// <param name="NextStart">When it next opens (UTC); null when it never will (disabled).</param>
public sealed record MaintenanceWindowView(
    long Id, string Name, string Days, string Start, int DurationMinutes, string TimeZone, string Severities, bool Enabled,
    bool OpenNow, DateTimeOffset? OpenUntil, DateTimeOffset? NextStart, DateTimeOffset CreatedAt, string CreatedBy)
{
    public static MaintenanceWindowView Of(AlertMaintenanceWindow w, DateTimeOffset now)
    {
        var open = AlertSuppression.OpenOccurrence(w, now);
        return new(w.Id, w.Name, w.Days, w.Start.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), w.DurationMinutes,
            w.TimeZone, w.Severities, w.Enabled, open is not null, open?.End, AlertSuppression.NextStart(w, now), w.CreatedAt, w.CreatedBy);
    }
}

/// <summary>Everything the alerts page and the Operations summary show, read at one moment.</summary>
public sealed record AlertOverview(
    DateTimeOffset Now, IReadOnlyList<RuleView> Rules, IReadOnlyList<SilenceView> ActiveSilences, IReadOnlyList<MaintenanceWindowView> Windows)
{
    public IEnumerable<RuleView> In(AlertState state) => Rules.Where(r => r.State == state);
}

/// <summary>An administrative change's result: the new state, field errors, a conflict, or nothing found.</summary>
public sealed record AdminOutcome<T>(T? Value, IDictionary<string, string[]>? Errors = null, bool NotFound = false)
    where T : class;

public static class AdminOutcome
{
    public static AdminOutcome<T> Invalid<T>(IDictionary<string, string[]> errors)
        where T : class => new(null, errors);

    public static AdminOutcome<T> Invalid<T>(string field, string message)
        where T : class => new(null, new Dictionary<string, string[]> { [field] = [message] });

    public static AdminOutcome<T> Missing<T>()
        where T : class => new(null, NotFound: true);
}

/// <param name="Threshold">The new threshold; null goes back to the catalogue's.</param>
/// <param name="Enabled">Whether the rule is evaluated; null keeps it as it is.</param>
public sealed record RuleSettingRequest(double? Threshold, bool? Enabled);

/// <param name="Label">alertname, severity or area.</param>
/// <param name="DurationMinutes">How long from <paramref name="StartsAt"/> (1 to 43200); or give <paramref name="EndsAt"/>.</param>
public sealed record SilenceRequest(string? Label, string? Value, string? Reason, int? DurationMinutes, DateTimeOffset? EndsAt, DateTimeOffset? StartsAt);

/// <param name="Days">"Mon,Tue"; empty or null for every day.</param>
/// <param name="Start">"HH:mm" in <paramref name="TimeZone"/>.</param>
/// <param name="TimeZone">IANA id; null for Shepherd:Alerting:TimeZone.</param>
/// <param name="Severities">"P2,P3".</param>
public sealed record MaintenanceWindowRequest(
    string? Name, string? Days, string? Start, int? DurationMinutes, string? TimeZone, string? Severities, bool? Enabled);
