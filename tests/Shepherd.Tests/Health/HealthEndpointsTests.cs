using System.Net;
using System.Text.Json.Nodes;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Health;

public sealed class HealthEndpointsSqliteTests(SqliteApp app) : HealthEndpointsTests<SqliteApp>(app);

public sealed class HealthEndpointsPostgresTests(PostgresApp app) : HealthEndpointsTests<PostgresApp>(app);

/// <summary>The public probes and the protected monitoring endpoint on the shared app of each provider.</summary>
public abstract class HealthEndpointsTests<TApp>(TApp app) where TApp : ShepherdApp
{
    [Fact]
    public async Task Liveness_answers_healthy_without_details_and_is_not_cached()
    {
        using var http = app.CreateClient();
        using var response = await http.GetAsync("/healthz/live", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.ToJsonString().ShouldBe("""{"status":"Healthy"}""");
    }

    [Theory]
    [InlineData("/healthz/ready")]
    [InlineData("/api/health")]
    public async Task Readiness_answers_200_with_status_and_version_only_and_names_no_check(string url)
    {
        using var http = app.CreateClient();
        using var response = await http.GetAsync(url, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var body = JsonNode.Parse(text)!.AsObject();
        body.Select(p => p.Key).ShouldBe(["status", "version"]);
        body["status"]!.GetValue<string>().ShouldBeOneOf("Healthy", "Degraded");
        foreach (var check in MonitoringHealth.Checks.Keys)
        {
            text.ShouldNotContain(check);
        }
    }

    [Fact]
    public async Task Monitoring_health_refuses_a_request_without_token()
    {
        using var http = app.CreateClient();
        using var response = await http.GetAsync("/api/monitoring/health", TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Monitoring_health_refuses_a_read_write_token()
    {
        using var client = await app.NewOrganizationAsync([ApiScopes.Read, ApiScopes.Write], cancellationToken: TestContext.Current.CancellationToken);
        using var response = await client.GetAsync("/api/monitoring/health");
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Monitoring_health_shows_every_check_with_status_duration_description_and_thresholds_to_a_monitoring_token()
    {
        using var client = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: TestContext.Current.CancellationToken);
        var body = await MonitoringHealth.MonitoringAsync(client.Http);

        body["status"]!.GetValue<string>().ShouldBeOneOf("Healthy", "Degraded");
        var checks = body["checks"]!.AsArray().Select(c => c!.AsObject()).ToDictionary(c => c["name"]!.GetValue<string>());
        checks.Keys.ShouldBe(MonitoringHealth.Checks.Keys, ignoreOrder: true);
        foreach (var (name, thresholds) in MonitoringHealth.Checks)
        {
            var check = checks[name];
            check["status"]!.GetValue<string>().ShouldBeOneOf("Healthy", "Degraded", "Unhealthy");
            check["durationMs"]!.GetValue<double>().ShouldBeGreaterThanOrEqualTo(0, name);
            check["description"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace(name);
            var data = check["data"]!.AsObject();
            foreach (var threshold in thresholds)
            {
                data.ContainsKey(threshold).ShouldBeTrue($"{name} lacks {threshold}: {data.ToJsonString()}");
            }
        }
        checks["database"]["status"]!.GetValue<string>().ShouldNotBe("Unhealthy");
        checks["database"]["data"]!["queryMs"]!.GetValue<double>().ShouldBeGreaterThan(0);
        checks["migrations"]["status"]!.GetValue<string>().ShouldBe("Healthy");
        checks["migrations"]["data"]!["pending"]!.GetValue<int>().ShouldBe(0);
        checks["disk"]["data"]!["degradedBelowFreePercent"]!.GetValue<double>().ShouldBe(10);
        checks["memory"]["data"]!["limitBytes"]!.GetValue<long>().ShouldBeGreaterThan(checks["memory"]["data"]!["workingSetBytes"]!.GetValue<long>());
        checks["thread-pool"]["data"]!["queueLatencyMs"]!.GetValue<double>().ShouldBeGreaterThanOrEqualTo(0);
        // The shared app runs no jobs (Shepherd:Jobs:Enabled=false): the check says where to look.
        checks["jobs"]["description"]!.GetValue<string>().ShouldContain("do not run in this process");
    }

    [Fact]
    public async Task Monitoring_health_answers_a_platform_administrator_without_monitoring_scope()
    {
        using var client = await app.NewOrganizationAsync([ApiScopes.Read], platformAdministrator: true, cancellationToken: TestContext.Current.CancellationToken);
        var body = await MonitoringHealth.MonitoringAsync(client.Http);
        body["checks"]!.AsArray().Count.ShouldBe(MonitoringHealth.Checks.Count);
    }
}

/// <summary>What the monitoring endpoint must show, and a helper to read it.</summary>
public static class MonitoringHealth
{
    /// <summary>Every check and the thresholds it must report.</summary>
    public static readonly Dictionary<string, string[]> Checks = new()
    {
        ["database"] = ["degradedAboveMs"],
        ["migrations"] = ["unhealthyAbovePending"],
        ["disk"] = ["degradedBelowFreePercent", "unhealthyBelowFreePercent"],
        ["memory"] = ["degradedAbovePercent", "unhealthyAbovePercent"],
        ["thread-pool"] = ["degradedAboveMs", "degradedAbovePending"],
        ["jobs"] = ["degradedWhenOverdueHours", "degradedWhenLastRunFailed"],
        ["backups"] = ["maxAgeHours"],
        ["database-integrity"] = ["unhealthyWhenIntegrityCheckFails"],
        ["mail"] = ["configured"],
    };

    public static async Task<JsonObject> MonitoringAsync(HttpClient http, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await http.GetAsync("/api/monitoring/health", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(expected, text);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        return JsonNode.Parse(text)!.AsObject();
    }
}
