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
}
