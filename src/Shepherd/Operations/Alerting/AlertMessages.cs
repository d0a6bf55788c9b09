using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Shepherd.Data.Alerting;

namespace Shepherd.Operations.Alerting;

/// <summary>One alert in a notification's JSON payload (the generic webhook's body).</summary>
public sealed record AlertPayloadItem(
    long IncidentId,
    string Rule,
    string Severity,
    string Area,
    string Status,
    string Summary,
    string Description,
    double Value,
    double Threshold,
    string ValueText,
    string ThresholdText,
    DateTimeOffset StartsAt,
    DateTimeOffset? FiredAt,
    DateTimeOffset? ResolvedAt,
    string? AcknowledgedBy,
    string Runbook,
    string? AcknowledgeUrl);

/// <summary>A notification's JSON payload: <c>{"version":1,"kind":"Firing",…,"alerts":[…]}</c>.</summary>
public sealed record AlertPayload(int Version, string Kind, string SentBy, string Instance, DateTimeOffset At, IReadOnlyList<AlertPayloadItem> Alerts);

/// <summary>The text of a notification (subject and plain-text body for e-mail and chat) and its JSON payload.</summary>
public sealed partial class AlertMessages(AlertAcknowledgement acknowledgement, IOptions<AlertingOptions> options, TimeProvider clock)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public (string Subject, string Body, string Payload) Compose(AlertNotificationKind kind, IReadOnlyList<(AlertIncident Incident, AlertRule Rule)> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        var items = alerts.Select(a => Item(a.Incident, a.Rule)).ToList();
        var payload = JsonSerializer.Serialize(new AlertPayload(1, kind.ToString(), "shepherd", Environment.MachineName, clock.GetUtcNow(), items), Json);
        var subject = alerts.Count == 1
            ? $"Shepherd [{alerts[0].Incident.Severity} {Word(kind, alerts[0].Incident)}] {alerts[0].Incident.Summary}"
            : $"Shepherd [{Word(kind, null)}] {alerts.Count} alerts: {string.Join(", ", alerts.Select(a => a.Rule.Name))}";
        var body = new StringBuilder();
        body.Append(Opening(kind)).Append("\n\n");
        foreach (var item in items)
        {
            body.Append(CultureInfo.InvariantCulture, $"{item.Rule} ({item.Severity}, {item.Area}): {item.Status.ToUpperInvariant()}\n");
            body.Append(item.Summary).Append('\n');
            body.Append(item.Description).Append('\n');
            body.Append(CultureInfo.InvariantCulture, $"Measured: {item.ValueText} (threshold {item.ThresholdText})\n");
            body.Append(CultureInfo.InvariantCulture, $"Started: {Time(item.StartsAt)}");
            if (item.FiredAt is { } fired)
            {
                body.Append(CultureInfo.InvariantCulture, $", firing since {Time(fired)}");
            }
            if (item.ResolvedAt is { } resolved)
            {
                body.Append(CultureInfo.InvariantCulture, $", resolved {Time(resolved)}");
            }
            body.Append('\n');
            if (item.AcknowledgedBy is { } by)
            {
                body.Append(CultureInfo.InvariantCulture, $"Acknowledged by {by}\n");
            }
            body.Append(CultureInfo.InvariantCulture, $"Runbook: {item.Runbook}\n");
            if (item.AcknowledgeUrl is { } url)
            {
                body.Append(CultureInfo.InvariantCulture, $"Acknowledge (stops the repeats and the escalation): {url}\n");
            }
            body.Append('\n');
        }
        body.Append("Shepherd's alerts are listed on the Operations page (/operations/alerts).\n");
        return (subject.Length > 300 ? subject[..300] : subject, body.ToString(), payload);
    }

    /// <summary>A rule's description with the Prometheus template parts filled in for people, from the measured value.</summary>
    public static string Describe(AlertRule rule, double value)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Signal == AlertSignal.DatabaseHealth)
        {
            // The Prometheus text speaks of scrapes; here Shepherd itself found its database gone.
            return $"Shepherd on {Environment.MachineName} cannot reach its database: nobody can read or save anything until it is back.";
        }
        var text = ValueTemplate().Replace(rule.DescriptionText, m => m.Groups[1].Value switch
        {
            "humanizePercentage" => Display(value, ThresholdUnit.Ratio),
            "humanizeDuration" => Display(value, ThresholdUnit.Seconds),
            _ => Display(value, ThresholdUnit.Count),
        });
        return LabelTemplate().Replace(text, m => m.Groups[1].Value switch
        {
            "instance" => Environment.MachineName,
            "job" => "Shepherd",
            "exported_job" => "(see the jobs health check)",
            "policy" => "busiest",
            _ => m.Value,
        });
    }

    /// <summary>A measured value for people, in its unit, to three significant digits ("12.5 %", "740 ms", "3").</summary>
    public static string Display(double value, ThresholdUnit unit)
    {
        var rounded = value == 0 || !double.IsFinite(value) ? value : Math.Round(value, Math.Max(0, 2 - (int)Math.Floor(Math.Log10(Math.Abs(value)))));
        return unit switch
        {
            ThresholdUnit.Ratio => Display(value * 100, ThresholdUnit.Count) + " %",
            ThresholdUnit.Seconds when value >= 3600 => Display(value / 3600, ThresholdUnit.Count) + " h",
            ThresholdUnit.Seconds when value < 1 => Display(value * 1000, ThresholdUnit.Count) + " ms",
            ThresholdUnit.Seconds => Display(value, ThresholdUnit.Count) + " s",
            ThresholdUnit.Factor => Display(value, ThresholdUnit.Count) + "×",
            _ => rounded.ToString("0.###", CultureInfo.InvariantCulture),
        };
    }

    private AlertPayloadItem Item(AlertIncident incident, AlertRule rule)
    {
        var status = incident.Status == AlertStatus.Resolved ? "resolved" : "firing";
        var link = incident.Status == AlertStatus.Firing && incident.AcknowledgedAt is null ? acknowledgement.Link(incident.Id) : null;
        return new AlertPayloadItem(
            incident.Id, rule.Name, incident.Severity.ToString(), rule.Labels.GetValueOrDefault(AlertRuleCatalogue.AreaLabel, ""), status,
            incident.Summary, Describe(rule with { Threshold = rule.Threshold with { Value = incident.Threshold } }, incident.Value),
            incident.Value, incident.Threshold, Display(incident.Value, rule.Threshold.Unit), (rule.Threshold with { Value = incident.Threshold }).ToString(),
            incident.PendingSince, incident.FiredAt, incident.ResolvedAt, incident.AcknowledgedBy,
            options.Value.RunbookBaseUrl + rule.Runbook, link);
    }

    private static string Word(AlertNotificationKind kind, AlertIncident? incident) => kind switch
    {
        AlertNotificationKind.Resolved => "RESOLVED",
        AlertNotificationKind.Escalation => "ESCALATED",
        AlertNotificationKind.Repeat when incident is not null => $"FIRING, notice {incident.NotificationCount + 1}",
        AlertNotificationKind.Digest => "DIGEST",
        AlertNotificationKind.Test => "TEST",
        _ => "FIRING",
    };

    private static string Opening(AlertNotificationKind kind) => kind switch
    {
        AlertNotificationKind.Resolved => "Resolved: the condition below no longer holds.",
        AlertNotificationKind.Escalation =>
            "Escalated: this critical alert has fired without being acknowledged. You are told because the first contacts did not answer.",
        AlertNotificationKind.Repeat => "Still firing and not acknowledged:",
        AlertNotificationKind.Digest => "Information alerts (P3) of the last day:",
        _ => "Firing:",
    };

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\{\{\s*\$value\s*\|\s*(\w+)\s*\}\}")]
    private static partial Regex ValueTemplate();

    [GeneratedRegex(@"\{\{\s*\$labels\.(\w+)\s*\}\}")]
    private static partial Regex LabelTemplate();
}
