using System.Text.RegularExpressions;
using Shepherd.Operations.Alerting;
using Shepherd.Tests.Telemetry;
using Shouldly;

namespace Shepherd.Tests.Alerting;

/// <summary>
/// The rules watch metrics Shepherd really exports: every metric a rule's PromQL names is in a running `serve`'s
/// GET /metrics (scraped by a real Prometheus, <see cref="ScrapedShepherd"/>), or is one that appears only after its
/// first event, listed here with the reason. A renamed metric would otherwise leave an alert that never fires.
/// </summary>
[Collection(ScrapedShepherdCollection.Name)]
public sealed partial class AlertRuleMetricsTests(ScrapedShepherd scraped)
{
    /// <summary>Counters created on their first event; the scraped instance had none of these events.</summary>
    private static readonly Dictionary<string, string> ExportedOnFirstEvent = new(StringComparer.Ordinal)
    {
        ["shepherd_jobs_runs_total"] = "after a background job ran in the process",
        ["shepherd_mail_messages_total"] = "after an e-mail was tried",
        ["shepherd_security_signins_total"] = "after a sign-in",
        ["shepherd_security_rate_limited_total"] = "after a rate-limited request",
        // Prometheus' own series for each target, not in the served text.
        ["up"] = "written by Prometheus for every scrape",
    };

    private static readonly string[] PromQlWords = ["and", "or", "unless", "bool", "offset"];

    [Fact]
    public async Task Every_metric_the_rules_name_is_served_by_shepherd()
    {
        var exported = scraped.MetricsText.Split('\n')
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => SampleName().Match(l).Value)
            .ToHashSet(StringComparer.Ordinal);
        var catalogue = AlertRuleCatalogue.Create(new AlertingOptions());
        var named = catalogue.SelectMany(r => MetricNames(r.Expression).Select(m => (Metric: m, Rule: r.Name))).ToList();
        named.Select(n => n.Metric).ShouldContain("shepherd_memory_limit_bytes");
        named.Select(n => n.Metric).ShouldContain("http_server_request_duration_seconds_bucket");
        named.Select(n => n.Metric).ShouldNotContain("histogram_quantile");
        named.Select(n => n.Metric).ShouldNotContain("job");

        var missing = named.Where(n => !exported.Contains(n.Metric) && !ExportedOnFirstEvent.ContainsKey(n.Metric))
            .Select(n => $"{n.Metric} ({n.Rule})").Distinct().ToList();
        missing.ShouldBeEmpty("Alert rules name metrics that GET /metrics does not export:\n" + string.Join('\n', missing));
        // The slow-response rule counts requests above a bucket boundary: that boundary must be one.
        scraped.MetricsText.ShouldContain("le=\"5\"");

        // And each rule's PromQL runs in Prometheus against the scraped instance.
        foreach (var rule in catalogue)
        {
            var answer = await scraped.QueryAsync(rule.Expression, TestContext.Current.CancellationToken);
            answer["status"]!.GetValue<string>().ShouldBe("success", $"{rule.Name}: {answer.ToJsonString()}");
        }
    }

    [Fact]
    public void The_capacity_gauges_measure_the_memory_limit_and_the_data_folders_drive()
    {
        double Value(string metric) => double.Parse(
            scraped.MetricsText.Split('\n').Single(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal)).Split(' ')[1],
            System.Globalization.CultureInfo.InvariantCulture);

        Value("shepherd_memory_limit_bytes").ShouldBe(Operations.Health.MemoryHealthCheck.MemoryLimit().Bytes);
        var size = Value("shepherd_disk_size_bytes");
        var available = Value("shepherd_disk_available_bytes");
        size.ShouldBeGreaterThan(0);
        available.ShouldBeInRange(0, size);
    }

    private static IEnumerable<string> MetricNames(string promql)
    {
        var bare = Regex.Replace(promql, "\"(?:\\\\.|[^\"\\\\])*\"", " ");
        bare = Regex.Replace(bare, @"\{[^}]*\}", " ");
        bare = Regex.Replace(bare, @"\[[^\]]*\]", " ");
        bare = Regex.Replace(bare, @"\b(by|on|without|ignoring|group_left|group_right)\s*\([^)]*\)", " ");
        return Regex.Matches(bare, @"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()").Select(m => m.Value)
            .Where(w => !PromQlWords.Contains(w, StringComparer.OrdinalIgnoreCase) && !char.IsDigit(w[0])).Distinct();
    }

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();
}
