using System.Globalization;
using Shepherd.Data.Alerting;

namespace Shepherd.Operations.Alerting;

/// <summary>What a threshold is measured in, so it can be shown to people and written into PromQL.</summary>
public enum ThresholdUnit
{
    /// <summary>A share from 0 to 1, shown as a percentage (0.05 is "5 %").</summary>
    Ratio,

    /// <summary>Seconds.</summary>
    Seconds,

    /// <summary>A number of events within the rule's window.</summary>
    Count,

    /// <summary>A multiple (the error-budget burn rate: 14.4 means the budget goes 14.4 times faster than allowed).</summary>
    Factor,
}

/// <summary>
/// A rule's threshold: a number and its unit, kept apart from the expression so an administrator can change it later
/// (the built-in evaluator compares its signal with <see cref="Value"/>; the Prometheus rendering writes it into the PromQL).
/// </summary>
public sealed record AlertThreshold(double Value, ThresholdUnit Unit)
{
    /// <summary>The number as PromQL writes it: invariant, shortest round-trip form ("0.05", "93600").</summary>
    public string PromQl => Value.ToString("G15", CultureInfo.InvariantCulture);

    /// <summary>The threshold for people: "5 %", "0.5 s", "20", "14.4×".</summary>
    public override string ToString() => Unit switch
    {
        ThresholdUnit.Ratio => (Value * 100).ToString("G15", CultureInfo.InvariantCulture) + " %",
        ThresholdUnit.Seconds when Value >= 3600 && Value % 3600 == 0 => (Value / 3600).ToString(CultureInfo.InvariantCulture) + " h",
        ThresholdUnit.Seconds when Value < 1 => (Value * 1000).ToString("G15", CultureInfo.InvariantCulture) + " ms",
        ThresholdUnit.Seconds => PromQl + " s",
        ThresholdUnit.Factor => PromQl + "×",
        _ => PromQl,
    };
}

/// <summary>
/// One alert rule, defined once (in <see cref="AlertRuleCatalogue"/>) for both evaluators: Prometheus gets
/// <see cref="Expression"/>, the built-in evaluator (not built yet) computes <see cref="Signal"/> from Shepherd's own
/// monitoring and compares it with <see cref="Threshold"/> in the same direction (above it means firing).
/// </summary>
/// <param name="Name">PascalCase, unique: the Prometheus <c>alertname</c> and the runbook's file name.</param>
/// <param name="Severity">P0 (critical) to P3 (information).</param>
/// <param name="Summary">One line for the notification's subject.</param>
/// <param name="Description">What is wrong and what it costs, for the notification's body.</param>
/// <param name="For">How long the condition must hold before the alert fires (pending until then).</param>
/// <param name="Threshold">The number the measured signal is compared with.</param>
/// <param name="ExpressionTemplate">PromQL with <c>{threshold}</c> where the threshold goes.</param>
/// <param name="Signal">What the built-in evaluator measures for this rule.</param>
/// <param name="Labels">Extra labels besides <c>severity</c> (e.g. <c>area</c>), used for routing and silences.</param>
public sealed record AlertRule(
    string Name,
    AlertSeverity Severity,
    string Summary,
    string Description,
    TimeSpan For,
    AlertThreshold Threshold,
    string ExpressionTemplate,
    AlertSignal Signal,
    IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>Where the runbook lives, relative to the repository root.</summary>
    public string Runbook => $"docs/runbooks/{Name}.md";

    /// <summary>The PromQL with the threshold written in.</summary>
    public string Expression => ExpressionTemplate.Replace("{threshold}", Threshold.PromQl, StringComparison.Ordinal);

    /// <summary>The description with the threshold written in for people ("{threshold}" becomes "5 %").</summary>
    public string DescriptionText => Description.Replace("{threshold}", Threshold.ToString(), StringComparison.Ordinal);

    /// <summary>
    /// The windows the built-in evaluator measures <see cref="Signal"/> over, as the PromQL's ranges do (the burn-rate rules have
    /// two, long and short, and hold only when both do); empty for a value read as it is now (memory, disk, backup age).
    /// </summary>
    public IReadOnlyList<TimeSpan> Windows { get; init; } = [];

    /// <summary>The same rule measured over <paramref name="windows"/>.</summary>
    public AlertRule Over(params TimeSpan[] windows) => this with { Windows = windows };

    /// <summary>The same rule with another threshold (what an administrator's override will produce).</summary>
    public AlertRule WithThreshold(double value) => this with { Threshold = Threshold with { Value = value } };
}
