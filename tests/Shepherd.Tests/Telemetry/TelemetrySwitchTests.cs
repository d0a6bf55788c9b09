using System.Net;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Telemetry;

/// <summary>A host of its own with telemetry and the per-request log line switched off, as the overhead benchmark runs it.</summary>
public sealed class TelemetryOffApp : SqliteApp
{
    public TelemetryOffApp()
    {
        Settings["Shepherd:Telemetry:Enabled"] = "false";
        Settings["Shepherd:Logs:RequestLogging"] = "false";
    }
}

/// <summary>Shepherd:Telemetry:Enabled: on by default; off, /metrics is not there and the API works as before.</summary>
public sealed class TelemetrySwitchTests(TelemetryOffApp off, SqliteApp defaults) : IClassFixture<TelemetryOffApp>
{
    [Theory]
    [InlineData("/metrics")]
    [InlineData("/api/monitoring/metrics")]
    [InlineData("/api/monitoring/performance")]
    public async Task With_telemetry_off_metrics_answer_404_even_to_a_monitoring_token(string url)
    {
        using var monitor = await off.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: TestContext.Current.CancellationToken);
        using var response = await monitor.GetAsync(url);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task With_telemetry_off_the_api_still_reads_and_writes()
    {
        using var api = await off.NewOrganizationAsync(cancellationToken: TestContext.Current.CancellationToken);
        await api.CreateAsync("/api/v1/campuses", new { name = "Main" });

        using var response = await api.GetAsync("/api/v1/campuses");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("\"Main\"");
    }

    [Fact]
    public async Task With_default_settings_metrics_are_served_to_a_monitoring_token()
    {
        using var monitor = await defaults.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: TestContext.Current.CancellationToken);
        using var response = await monitor.GetAsync("/metrics");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("process_cpu_time_seconds");
    }
}
