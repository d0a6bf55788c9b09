using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shepherd.Data;
using Shepherd.Data.Alerting;

namespace Shepherd.Operations.Alerting;

/// <summary>A catalogue rule as it is in force: with an administrator's threshold, and whether it is turned on.</summary>
/// <param name="Rule">The rule, its threshold replaced when an administrator changed it.</param>
/// <param name="Default">The catalogue's threshold.</param>
/// <param name="Enabled">False when an administrator turned the rule off: it is not evaluated.</param>
public sealed record ActiveRule(AlertRule Rule, AlertThreshold Default, bool Enabled)
{
    public bool ThresholdChanged => Rule.Threshold != Default;
}

/// <summary>The catalogue (built once from the settings) and the administrators' changes to it, kept in the database.</summary>
public sealed class AlertRules(IOptions<AlertingOptions> options)
{
    /// <summary>The rule's labels that silences match: <c>alertname</c>, <c>severity</c> and the catalogue's own (<c>area</c>).</summary>
    public static readonly IReadOnlyList<string> SilenceLabels = ["alertname", "severity", AlertRuleCatalogue.AreaLabel];

    public IReadOnlyList<AlertRule> Catalogue { get; } = AlertRuleCatalogue.Create(options.Value);

    public AlertRule? Find(string name) => Catalogue.FirstOrDefault(r => r.Name == name);

    /// <summary>Every rule with the administrators' thresholds and switches applied, in catalogue order.</summary>
    public async Task<IReadOnlyList<ActiveRule>> CurrentAsync(ShepherdDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var settings = await db.AlertRuleSettings.AsNoTracking().ToDictionaryAsync(s => s.RuleName, StringComparer.Ordinal, cancellationToken);
        return [.. Catalogue.Select(rule => settings.TryGetValue(rule.Name, out var setting)
            ? new ActiveRule(setting.Threshold is { } value ? rule.WithThreshold(value) : rule, rule.Threshold, setting.Enabled)
            : new ActiveRule(rule, rule.Threshold, true))];
    }

    /// <summary>Why a threshold cannot be used for a rule, for people ("must be between 0 and 100 %"); null when it can.</summary>
    public static string? ThresholdProblem(AlertRule rule, double value)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (!double.IsFinite(value))
        {
            return "must be a number";
        }
        if (rule.Signal == AlertSignal.SlowRequests && !SlowRequestBoundaries.Contains(value))
        {
            // Prometheus reads it from a histogram bucket's upper bound, so only the buckets' boundaries mean anything.
            return "must be one of the latency histogram's boundaries: " + string.Join(", ", SlowRequestBoundaries) + " seconds";
        }
        return rule.Threshold.Unit switch
        {
            ThresholdUnit.Ratio when value is <= 0 or > 1 => "must be a share between 0 and 1 (0.05 is 5 %)",
            ThresholdUnit.Seconds when value <= 0 => "must be a number of seconds above 0",
            ThresholdUnit.Count when value < 0 || value != Math.Floor(value) => "must be a whole number of events, 0 or more",
            ThresholdUnit.Factor when value <= 0 => "must be a factor above 0",
            _ => null,
        };
    }

    private static readonly double[] SlowRequestBoundaries = [1, 2.5, 5, 7.5, 10];

    /// <summary>A rule's labels: <c>alertname</c>, <c>severity</c> and its catalogue labels.</summary>
    public static IReadOnlyDictionary<string, string> LabelsOf(AlertRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var labels = new Dictionary<string, string>(rule.Labels, StringComparer.Ordinal)
        {
            ["alertname"] = rule.Name,
            ["severity"] = rule.Severity.ToString(),
        };
        return labels;
    }
}
