using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Shepherd.Data;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Cli;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Telemetry;

/// <summary>A host of its own (SQLite) whose business counts are read on every scrape.</summary>
public sealed class TelemetryApp : SqliteApp
{
    public TelemetryApp() => Settings["Shepherd:Telemetry:BusinessRefresh"] = "00:00:00";
}

/// <summary>GET /metrics: Prometheus text for monitoring tokens only, with HTTP, database and business metrics in it.</summary>
[Collection(ScrapedShepherdCollection.Name)]
public sealed partial class MetricsEndpointTests(TelemetryApp app, ScrapedShepherd scraped) : IClassFixture<TelemetryApp>
{
    [Fact]
    public async Task Metrics_without_a_token_are_refused_with_401()
    {
        using var http = app.CreateClient();
        using var response = await http.GetAsync("/metrics", TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Metrics_with_a_read_write_token_are_forbidden()
    {
        using var api = await app.NewOrganizationAsync([ApiScopes.Read, ApiScopes.Write], cancellationToken: TestContext.Current.CancellationToken);
        using var response = await api.GetAsync("/metrics");
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    /// <summary>
    /// Read from a `serve` process of its own (<see cref="ScrapedShepherd"/>): hosts in one test process share meter names,
    /// and OpenTelemetry drops a shared instrument's series when another host stops.
    /// </summary>
    [Fact]
    public void A_monitoring_token_gets_prometheus_text_with_the_route_just_called_and_database_timings()
    {
        var text = scraped.MetricsText;

        text.ShouldContain("# TYPE http_server_request_duration_seconds histogram");
        HttpRouteCount(text, "GET", "/api/v1/campuses").ShouldBe(ScrapedShepherd.CampusRequests, text);
        text.ShouldContain("# TYPE shepherd_db_command_duration_seconds histogram");
        Regex.IsMatch(text, @"shepherd_db_command_duration_seconds_count\{[^}]*db_command_kind=""select""[^}]*\} [1-9]").ShouldBeTrue(text);
        text.ShouldContain("process_cpu_time_seconds");
        text.ShouldContain("dotnet_gc_collections_total");
    }

    /// <summary>
    /// In a `serve` process of its own: every host in the test process exports its meters under the same names, so only a
    /// process with one host gives exact counts.
    /// </summary>
    [Fact]
    public async Task The_business_gauges_count_people_families_and_check_ins_today_across_organizations()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var db = new SqliteCliDatabase();
        db.Settings["Shepherd:Telemetry:BusinessRefresh"] = "00:00:00";
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        var first = await TokenAsync(db, "first@grace.example", "Grace Church", "--scope", "read", "--scope", "write", "--scope", "monitoring");
        var second = await TokenAsync(db, "second@hope.example", "Hope Church", "--scope", "read", "--scope", "write");
        await using var serve = await ServeProcess.StartAsync(db.Environment, cancel);
        using var firstApi = new ApiClient(serve.CreateClient(first), 0, "first@grace.example", first);
        using var secondApi = new ApiClient(serve.CreateClient(second), 0, "second@hope.example", second);
        var before = Business(await ScrapeAsync(firstApi));

        var ann = await PersonAsync(firstApi, "Ann");
        await PersonAsync(firstApi, "Bob");
        await PersonAsync(secondApi, "Cy");
        await firstApi.CreateAsync("/api/v1/families", new { name = "Ashby" });
        var campus = await firstApi.CreateAsync("/api/v1/campuses", new { name = "Main" });
        var service = await firstApi.CreateAsync("/api/v1/services", new { campusId = campus["id"]!.GetValue<long>(), name = "Sunday", kind = "worship", startsAt = "2026-11-22T10:00:00Z" });
        await firstApi.CreateAsync($"/api/v1/services/{service["id"]}/attendance", new { personId = ann });

        var after = Business(await ScrapeAsync(firstApi));

        (after.People - before.People).ShouldBe(3);
        (after.Families - before.Families).ShouldBe(1);
        (after.CheckInsToday - before.CheckInsToday).ShouldBe(1);
        Regex.IsMatch(await ScrapeAsync(firstApi), @"^shepherd_checkins_today\{[^}]*service_kind=""worship""[^}]*\} 1$", RegexOptions.Multiline).ShouldBeTrue();
    }

    private static async Task<string> TokenAsync(SqliteCliDatabase db, string email, string organization, params string[] scopes)
    {
        var admin = await db.RunAsync("admin", "create", "--email", email, "--password", "correct horse battery", "--organization", organization);
        admin.ExitCode.ShouldBe(0, admin.ToString());
        var token = await db.RunAsync(["admin", "token", "--email", email, "--name", "tests", .. scopes]);
        token.ExitCode.ShouldBe(0, token.ToString());
        return token.Stdout.Trim();
    }

    private static async Task<string> ScrapeAsync(ApiClient monitor)
    {
        using var response = await monitor.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        return text;
    }

    private static async Task<long> PersonAsync(ApiClient api, string first) =>
        (await api.CreateAsync("/api/v1/people", new { firstName = first, lastName = "Metrics" }))["id"]!.GetValue<long>();

    private static (long People, long Families, long CheckInsToday) Business(string text) =>
        (Gauge(text, "shepherd_people"), Gauge(text, "shepherd_families"), Gauge(text, "shepherd_checkins_today"));

    /// <summary>The sum of every series of a gauge (check-ins come one series per kind of service).</summary>
    private static long Gauge(string text, string name)
    {
        var matches = Regex.Matches(text, $@"^{name}(?:\{{[^}}]*\}})? (\S+)", RegexOptions.Multiline);
        matches.ShouldNotBeEmpty($"{name} not in:\n{text}");
        return matches.Sum(m => (long)double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>The request count of http_server_request_duration_seconds for one method and route (route patterns may carry a leading and a trailing slash).</summary>
    internal static long HttpRouteCount(string text, string method, string route) =>
        HttpCountLine().Matches(text)
            .Where(m => m.Groups["labels"].Value.Contains($"http_request_method=\"{method}\"", StringComparison.Ordinal)
                && Regex.IsMatch(m.Groups["labels"].Value, $"http_route=\"/?{Regex.Escape(route.Trim('/'))}/?\""))
            .Sum(m => long.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^http_server_request_duration_seconds_count\{(?<labels>[^}]*)\} (?<value>\d+)", RegexOptions.Multiline)]
    private static partial Regex HttpCountLine();
}
