using Shepherd.Data;
using Shepherd.Data.Alerting;

namespace Shepherd.Operations.Alerting;

/// <summary>Settings under <c>Shepherd:Alerting</c>.</summary>
public sealed class AlertingOptions
{
    public const string Section = "Shepherd:Alerting";

    /// <summary>
    /// The availability objective the burn-rate alerts protect: the share of requests that must not fail (5xx) over 30 days.
    /// 0.995 leaves an error budget of 0.5 %.
    /// </summary>
    public double AvailabilityObjective { get; set; } = 0.995;

    /// <summary>
    /// Where the repository's files are browsable (e.g. "https://git.example.org/shepherd/blob/main/"): written before
    /// each rule's runbook path (docs/runbooks/&lt;Rule&gt;.md) in the notifications. Empty: the path alone.
    /// </summary>
    public string RunbookBaseUrl { get; set; } = "";

    /// <summary>The built-in evaluator runs in <c>serve</c> and <c>worker</c> (one replica at a time) unless this is false.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the rules are evaluated and queued notifications delivered.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a firing P0 may stay unacknowledged before the escalation contacts are told.</summary>
    public TimeSpan EscalateAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The zone of the daily digest's time and the default zone of new maintenance windows (IANA id).</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>When the daily digest of P3 (information) alerts goes out, in <see cref="TimeZone"/>.</summary>
    public TimeOnly DigestTime { get; set; } = new(8, 0);

    /// <summary>While no channel is set up, e-mail the platform administrators (when the server can send e-mail).</summary>
    public bool NotifyPlatformAdministrators { get; set; } = true;

    /// <summary>How long before the same alert is sent again while it fires unacknowledged.</summary>
    public static TimeSpan RepeatInterval(AlertSeverity severity) => severity switch
    {
        AlertSeverity.P0 => TimeSpan.FromMinutes(5),
        AlertSeverity.P1 => TimeSpan.FromMinutes(30),
        AlertSeverity.P2 => TimeSpan.FromHours(4),
        _ => TimeSpan.FromHours(24),
    };

    /// <exception cref="SettingsException">A setting is out of range, with its name and the fix.</exception>
    public void Validate()
    {
        if (EvaluationInterval < TimeSpan.FromSeconds(1) || EvaluationInterval > TimeSpan.FromMinutes(5))
        {
            throw new SettingsException($"{Section}:EvaluationInterval is {EvaluationInterval}: it must be between 00:00:01 and 00:05:00 (e.g. 00:00:15).");
        }
        if (EscalateAfter < TimeSpan.FromMinutes(1))
        {
            throw new SettingsException($"{Section}:EscalateAfter is {EscalateAfter}: it must be at least 00:01:00 (e.g. 00:15:00).");
        }
        if (AlertSuppression.FindZone(TimeZone) is null)
        {
            throw new SettingsException($"{Section}:TimeZone '{TimeZone}' is not a known IANA time zone (e.g. America/Chicago or UTC).");
        }
        _ = AlertRuleCatalogue.Create(this);
    }
}
