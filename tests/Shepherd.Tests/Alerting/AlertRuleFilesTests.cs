using System.Text.RegularExpressions;
using Shepherd.Data.Alerting;
using Shepherd.Operations.Alerting;
using Shepherd.Tests.Backups;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Alerting;

/// <summary>
/// The rule catalogue and what is made of it: the committed Prometheus rule file is what `shepherd config render
/// prometheus-rules` writes, promtool accepts it and its unit tests (deploy/prometheus/tests) pass and cover every rule,
/// every rule has a runbook, and amtool accepts the shipped Alertmanager config.
/// </summary>
public sealed partial class AlertRuleFilesTests : IDisposable
{
    private static readonly string Deploy = Path.GetFullPath(Path.Combine(DeployScripts.Folder, ".."));
    private static readonly string Repository = Path.GetFullPath(Path.Combine(Deploy, ".."));
    private static readonly string RulesFile = Path.Combine(Deploy, "prometheus", "alert_rules.yml");
    private static readonly string RuleTests = Path.Combine(Deploy, "prometheus", "tests");
    private static readonly string AlertmanagerConfig = Path.Combine(Deploy, "alertmanager", "alertmanager.yml");
    private static readonly IReadOnlyList<AlertRule> Catalogue = AlertRuleCatalogue.Create(new AlertingOptions());

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "shepherd-alerting-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_committed_rule_file_is_what_the_render_command_writes()
    {
        var committed = await File.ReadAllTextAsync(RulesFile, TestContext.Current.CancellationToken);
        committed.ShouldBe(PrometheusRules.Render(Catalogue), "deploy/prometheus/alert_rules.yml is stale: run `shepherd config render prometheus-rules --output deploy/prometheus/alert_rules.yml`");

        var printed = await ShepherdProcess.RunAsync(new Dictionary<string, string?>(), "config", "render", "prometheus-rules");
        printed.ExitCode.ShouldBe(0, printed.ToString());
        printed.Stdout.ShouldBe(committed);

        Directory.CreateDirectory(_folder);
        var file = Path.Combine(_folder, "alert_rules.yml");
        var written = await ShepherdProcess.RunAsync(new Dictionary<string, string?>(), "config", "render", "prometheus-rules", "--output", file);
        written.ExitCode.ShouldBe(0, written.ToString());
        written.Stdout.ShouldBeEmpty();
        written.Stderr.ShouldContain($"Wrote {Catalogue.Count} alert rules");
        (await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken)).ShouldBe(committed);
    }

    [Fact]
    public async Task The_availability_objective_and_runbook_address_come_from_settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Shepherd__Alerting__AvailabilityObjective"] = "0.999",
            ["Shepherd__Alerting__RunbookBaseUrl"] = "https://git.example.org/shepherd/blob/main/",
        };
        var rendered = await ShepherdProcess.RunAsync(settings, "config", "render", "prometheus-rules");
        rendered.ExitCode.ShouldBe(0, rendered.ToString());
        // 14.4 and 6 times a budget of 0.1 %.
        rendered.Stdout.ShouldContain("> (14.4 * 0.001)");
        rendered.Stdout.ShouldContain("> (6 * 0.001)");
        rendered.Stdout.ShouldContain("the 99.9 % availability objective");
        rendered.Stdout.ShouldContain("runbook_url: 'https://git.example.org/shepherd/blob/main/docs/runbooks/DatabaseDown.md'");

        var wrong = await ShepherdProcess.RunAsync(new Dictionary<string, string?> { ["Shepherd__Alerting__AvailabilityObjective"] = "99.5" },
            "config", "render", "prometheus-rules");
        wrong.ExitCode.ShouldBe(1, wrong.ToString());
        wrong.Stderr.Trim().ShouldBe("Shepherd:Alerting:AvailabilityObjective is 99.5: it must be between 0 and 1 (e.g. 0.995 for 99.5 %).");
    }

    [Fact]
    public void The_catalogue_has_the_required_rules_with_their_thresholds_written_into_the_promql()
    {
        Catalogue.Select(r => r.Name).ShouldBeUnique();
        Catalogue.ShouldAllBe(r => PascalCase().IsMatch(r.Name));
        var rules = Catalogue.ToDictionary(r => r.Name);
        (rules["CriticalErrorRate"].Severity, rules["CriticalErrorRate"].Threshold.Value, rules["CriticalErrorRate"].For).ShouldBe((AlertSeverity.P0, 0.10, TimeSpan.FromMinutes(1)));
        (rules["HighErrorRate"].Severity, rules["HighErrorRate"].Threshold.Value, rules["HighErrorRate"].For).ShouldBe((AlertSeverity.P1, 0.05, TimeSpan.FromMinutes(5)));
        rules["HighLatencyP95"].Threshold.ShouldBe(new AlertThreshold(0.5, ThresholdUnit.Seconds));
        rules["HighMeanResponseTime"].Threshold.ShouldBe(new AlertThreshold(2, ThresholdUnit.Seconds));
        rules["VerySlowResponses"].Threshold.ShouldBe(new AlertThreshold(5, ThresholdUnit.Seconds));
        rules["DatabaseDown"].Severity.ShouldBe(AlertSeverity.P0);
        rules["SlowDatabaseQueries"].Threshold.ShouldBe(new AlertThreshold(1, ThresholdUnit.Seconds));
        rules["HighCpuUsage"].Threshold.Value.ShouldBe(0.80);
        (rules["HighMemoryUsage"].Severity, rules["HighMemoryUsage"].Threshold.Value).ShouldBe((AlertSeverity.P2, 0.80));
        (rules["CriticalMemoryUsage"].Severity, rules["CriticalMemoryUsage"].Threshold.Value).ShouldBe((AlertSeverity.P1, 0.85));
        rules["DiskAlmostFull"].Threshold.Value.ShouldBe(0.90);
        rules["BackupTooOld"].Threshold.ToString().ShouldBe("26 h");
        (rules["ErrorBudgetFastBurn"].Severity, rules["ErrorBudgetFastBurn"].Threshold.Value).ShouldBe((AlertSeverity.P0, 14.4));
        (rules["ErrorBudgetSlowBurn"].Severity, rules["ErrorBudgetSlowBurn"].Threshold.Value).ShouldBe((AlertSeverity.P1, 6));
        rules.Keys.ShouldContain("BackgroundJobFailing");
        rules.Keys.ShouldContain("FailedSignInBurst");
        rules.Keys.ShouldContain("AccountLockouts");
        rules.Keys.ShouldContain("RequestRateLimited");
        rules.Keys.ShouldContain("MailFailures");
        rules["ErrorBudgetFastBurn"].Expression.ShouldContain("[1h]");
        rules["ErrorBudgetFastBurn"].Expression.ShouldContain("[5m]");
        rules["ErrorBudgetSlowBurn"].Expression.ShouldContain("[6h]");
        rules["ErrorBudgetSlowBurn"].Expression.ShouldContain("[30m]");

        // An administrator's threshold goes into the PromQL and the description, nowhere else changes.
        var stricter = rules["HighErrorRate"].WithThreshold(0.02);
        stricter.Expression.ShouldEndWith("> 0.02");
        stricter.DescriptionText.ShouldContain("(threshold 2 %)");
        stricter.Expression.Replace("> 0.02", "> 0.05", StringComparison.Ordinal).ShouldBe(rules["HighErrorRate"].Expression);
        rules["SlowDatabaseQueries"].WithThreshold(0.25).Expression.ShouldEndWith("> 0.25");
        rules["VerySlowResponses"].WithThreshold(2.5).Expression.ShouldContain("le=\"2.5\"");
        Catalogue.ShouldAllBe(r => r.ExpressionTemplate.Contains("{threshold}"));
        Catalogue.ShouldAllBe(r => !r.Expression.Contains('{' + "threshold}"));
    }

    [Fact]
    public async Task Promtool_accepts_the_committed_rule_file()
    {
        var check = await OsCommand.RunAsync("/usr/bin/promtool", ["check", "rules", RulesFile], TimeSpan.FromSeconds(30));

        check.ExitCode.ShouldBe(0, check.ToString());
        check.Stdout.ShouldContain($"SUCCESS: {Catalogue.Count} rules found");
    }

    [Fact]
    public async Task The_promtool_unit_tests_of_the_rules_pass()
    {
        var files = Directory.GetFiles(RuleTests, "*.yml").Order(StringComparer.Ordinal).ToArray();
        files.Length.ShouldBeGreaterThanOrEqualTo(5);

        var run = await OsCommand.RunAsync("/usr/bin/promtool", ["test", "rules", .. files], TimeSpan.FromSeconds(60));

        run.ExitCode.ShouldBe(0, run.ToString());
        Regex.Count(run.Stdout, "SUCCESS").ShouldBe(files.Length, run.ToString());
    }

    [Fact]
    public void Every_rule_has_a_promtool_case_that_fires_it_one_where_it_stays_quiet_and_a_runbook()
    {
        var tests = string.Join('\n', Directory.GetFiles(RuleTests, "*.yml").Select(File.ReadAllText));
        var missing = new List<string>();
        foreach (var rule in Catalogue)
        {
            // A firing expectation names the runbook in its expected annotations.
            if (!tests.Contains($"alertname: {rule.Name}\n", StringComparison.Ordinal) || !tests.Contains($"runbook_url: '{rule.Runbook}'", StringComparison.Ordinal))
            {
                missing.Add($"{rule.Name}: no promtool case where it fires");
            }
            if (!Regex.IsMatch(tests, $@"alertname: {rule.Name},?\s+exp_alerts: \[\]"))
            {
                missing.Add($"{rule.Name}: no promtool case where it stays quiet");
            }
            var runbook = Path.Combine(Repository, rule.Runbook);
            if (!File.Exists(runbook))
            {
                missing.Add($"{rule.Name}: no runbook {rule.Runbook}");
                continue;
            }
            var text = File.ReadAllText(runbook);
            foreach (var section in new[] { "## What it means", "## How to check", "## How to fix", "## How to roll back" })
            {
                if (!text.Contains(section, StringComparison.Ordinal))
                {
                    missing.Add($"{rule.Runbook}: no '{section}'");
                }
            }
        }
        missing.ShouldBeEmpty(string.Join('\n', missing));
    }

    [Fact]
    public async Task Amtool_accepts_the_shipped_alertmanager_config_and_its_inhibitions_name_real_rules()
    {
        var check = await OsCommand.RunAsync("/usr/bin/amtool", ["check-config", AlertmanagerConfig], TimeSpan.FromSeconds(30));
        check.ExitCode.ShouldBe(0, check.ToString());

        var config = await File.ReadAllTextAsync(AlertmanagerConfig, TestContext.Current.CancellationToken);
        var names = Catalogue.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var named = AlertnameMatcher().Matches(config).SelectMany(m => m.Groups[1].Value.Split('|')).ToList();
        named.ShouldContain("DatabaseDown");
        named.ShouldContain("HighLatencyP95");
        named.Where(n => !names.Contains(n)).ShouldBeEmpty("alertmanager.yml names alerts the catalogue does not have");
        foreach (var severity in Enum.GetNames<AlertSeverity>())
        {
            config.ShouldContain($"severity=\"{severity}\"");
        }
        Regex.Count(config, "send_resolved: true").ShouldBe(Regex.Count(config, "_configs:\n"), "every receiver sends recovery notices");
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [GeneratedRegex("^[A-Z][a-zA-Z0-9]+$")]
    private static partial Regex PascalCase();

    [GeneratedRegex("alertname=~?\"([^\"]+)\"")]
    private static partial Regex AlertnameMatcher();
}
