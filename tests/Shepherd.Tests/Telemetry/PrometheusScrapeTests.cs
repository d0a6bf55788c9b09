using Shepherd.Tests.Backups;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Telemetry;

/// <summary>
/// A real Prometheus scraping a real `shepherd serve` with a monitoring token (<see cref="ScrapedShepherd"/>), and the
/// shipped deploy/prometheus/prometheus.yml accepted by promtool.
/// </summary>
[Collection(ScrapedShepherdCollection.Name)]
public sealed class PrometheusScrapeTests(ScrapedShepherd scraped) : IDisposable
{
    private static readonly TimeSpan ScrapedWithin = TimeSpan.FromSeconds(30);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "shepherd-tests", "promtool-" + Guid.NewGuid().ToString("N"));

    private static string ShippedConfig => Path.GetFullPath(Path.Combine(DeployScripts.Folder, "..", "prometheus", "prometheus.yml"));

    [Fact]
    public async Task Prometheus_scrapes_served_metrics_with_a_monitoring_token_and_sees_the_routes_requests()
    {
        var answer = await scraped.WaitForAsync(
            $$"""sum(http_server_request_duration_seconds_count{job="{{ScrapedShepherd.Job}}",http_route=~"/?api/v1/campuses/?",http_request_method="GET"})""",
            a => ScrapedShepherd.FirstValue(a) >= ScrapedShepherd.CampusRequests, ScrapedWithin, TestContext.Current.CancellationToken);

        ScrapedShepherd.FirstValue(answer).ShouldBe((double)ScrapedShepherd.CampusRequests);
    }

    [Fact]
    public async Task The_shipped_prometheus_config_passes_promtool()
    {
        // promtool insists the token file exists: check a copy that points at a real one, otherwise unchanged.
        Directory.CreateDirectory(_folder);
        var tokenFile = Path.Combine(_folder, "shepherd-token");
        await File.WriteAllTextAsync(tokenFile, "shp_example", TestContext.Current.CancellationToken);
        var shipped = await File.ReadAllTextAsync(ShippedConfig, TestContext.Current.CancellationToken);
        shipped.ShouldContain("credentials_file: /etc/prometheus/shepherd-token");
        shipped.ShouldContain("\"shepherd:5000\"");
        var copy = Path.Combine(_folder, "prometheus.yml");
        // The rule file it names is read relative to it, so it goes beside the copy.
        File.Copy(Path.Combine(Path.GetDirectoryName(ShippedConfig)!, "alert_rules.yml"), Path.Combine(_folder, "alert_rules.yml"));
        await File.WriteAllTextAsync(copy, shipped.Replace("/etc/prometheus/shepherd-token", tokenFile, StringComparison.Ordinal), TestContext.Current.CancellationToken);

        var check = await OsCommand.RunAsync("/usr/bin/promtool", ["check", "config", copy], TimeSpan.FromSeconds(30));

        check.ExitCode.ShouldBe(0, check.ToString());
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
