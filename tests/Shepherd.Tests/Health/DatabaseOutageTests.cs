using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Npgsql;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Health;

/// <summary>
/// Shepherd on a PostgreSQL database of its own, reached through a <see cref="TcpForwarder"/> so a test can cut the
/// network to the database and bring it back while the app serves. Short Npgsql timeouts make the outage show at once.
/// </summary>
public sealed class OutageApp : PostgresApp
{
    public OutageApp()
    {
        var direct = new NpgsqlConnectionStringBuilder(ConnectionString);
        Forwarder = new TcpForwarder(direct.Host!, direct.Port);
        Settings["ConnectionStrings:Shepherd"] = new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            Host = "127.0.0.1",
            Port = Forwarder.Port,
            Timeout = 2,
            CommandTimeout = 5,
            CancellationTimeout = 1000,
        }.ToString();
    }

    public TcpForwarder Forwarder { get; }

    public override async ValueTask DisposeAsync()
    {
        Forwarder.Start();
        await base.DisposeAsync();
        Forwarder.Dispose();
    }
}

/// <summary>
/// The database goes away while Shepherd serves: readiness turns 503 without saying why, liveness stays 200, the
/// monitoring endpoint says which check failed, tokens never cause a 500, and readiness comes back with the database.
/// </summary>
public sealed class DatabaseOutageTests(OutageApp app) : IClassFixture<OutageApp>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readiness_turns_503_without_detail_while_liveness_stays_200_and_comes_back_with_the_database()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var anonymous = app.CreateClient();
        foreach (var url in new[] { "/healthz/ready", "/api/health" })
        {
            var (status, body) = await GetAsync(anonymous, url);
            status.ShouldBe(HttpStatusCode.OK, body);
            JsonNode.Parse(body)!["status"]!.GetValue<string>().ShouldBe("Healthy", body);
        }
        (await DatabaseCheckAsync(monitor.Http))["status"]!.GetValue<string>().ShouldNotBe("Unhealthy");

        app.Forwarder.Stop();
        try
        {
            foreach (var url in new[] { "/healthz/ready", "/api/health" })
            {
                var (status, body) = await GetAsync(anonymous, url);
                status.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
                ShouldLeakNothing(body);
            }
            var (liveStatus, live) = await GetAsync(anonymous, "/healthz/live");
            liveStatus.ShouldBe(HttpStatusCode.OK, live);

            var database = await DatabaseCheckAsync(monitor.Http);
            database["status"]!.GetValue<string>().ShouldBe("Unhealthy", database.ToJsonString());
            database["description"]!.GetValue<string>().ShouldStartWith("The database does not answer (");
        }
        finally
        {
            app.Forwarder.Start();
        }

        var deadline = TimeProvider.System.GetUtcNow() + Deadline;
        var (readyStatus, ready) = await GetAsync(anonymous, "/healthz/ready");
        while (readyStatus != HttpStatusCode.OK && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(100, Cancel);
            (readyStatus, ready) = await GetAsync(anonymous, "/healthz/ready");
        }
        readyStatus.ShouldBe(HttpStatusCode.OK, ready);
        JsonNode.Parse(ready)!["status"]!.GetValue<string>().ShouldBe("Healthy", ready);
    }

    [Fact]
    public async Task During_an_outage_a_recently_used_monitoring_token_still_reads_health_and_no_token_causes_a_500()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var member = await app.NewOrganizationAsync([ApiScopes.Read, ApiScopes.Write], cancellationToken: Cancel);
        using var unseenMonitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        (await DatabaseCheckAsync(monitor.Http))["status"]!.GetValue<string>().ShouldNotBe("Unhealthy");
        (await GetAsync(member.Http, "/api/v1/people")).Status.ShouldBe(HttpStatusCode.OK);

        app.Forwarder.Stop();
        try
        {
            // The monitoring token the database validated a moment ago keeps the monitoring scope.
            var database = await DatabaseCheckAsync(monitor.Http);
            database["status"]!.GetValue<string>().ShouldBe("Unhealthy", database.ToJsonString());
            database["description"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
            var (metricsStatus, metrics) = await GetAsync(monitor.Http, "/metrics");
            metricsStatus.ShouldBe(HttpStatusCode.OK, metrics);
            // ...but only that scope: it reads no member data.
            (await GetAsync(monitor.Http, "/api/v1/people")).Status.ShouldBe(HttpStatusCode.Forbidden);

            // A read/write token cannot be checked: refused with problem details, never a 500.
            using (var people = await member.GetAsync("/api/v1/people"))
            {
                await people.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
            }
            using (var create = await member.PostAsync("/api/v1/people", new { firstName = "Outage", lastName = "Test" }))
            {
                await create.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
            }
            // A monitoring token the app has not seen validated is refused too.
            using (var unseen = await unseenMonitor.GetAsync("/api/monitoring/health"))
            {
                await unseen.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
            }
            // Public probes answer whatever token comes with them (even a well-formed unknown one).
            foreach (var token in new[] { member.Token, monitor.Token, TokenHasher.NewToken() })
            {
                using var http = app.CreateClient();
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                foreach (var url in new[] { "/healthz/ready", "/api/health" })
                {
                    var (status, body) = await GetAsync(http, url);
                    status.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
                    ShouldLeakNothing(body);
                }
                (await GetAsync(http, "/healthz/live")).Status.ShouldBe(HttpStatusCode.OK);
            }
        }
        finally
        {
            app.Forwarder.Start();
        }

        // Back to normal: the read/write token works again once the database answers.
        var deadline = TimeProvider.System.GetUtcNow() + Deadline;
        var (peopleStatus, peopleBody) = await GetAsync(member.Http, "/api/v1/people");
        while (peopleStatus != HttpStatusCode.OK && TimeProvider.System.GetUtcNow() < deadline)
        {
            peopleStatus.ShouldNotBe(HttpStatusCode.InternalServerError, peopleBody);
            await Task.Delay(100, Cancel);
            (peopleStatus, peopleBody) = await GetAsync(member.Http, "/api/v1/people");
        }
        peopleStatus.ShouldBe(HttpStatusCode.OK, peopleBody);
    }

    /// <summary>Only status and version: no exception text, no host, no check names.</summary>
    private static void ShouldLeakNothing(string body)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        json.Select(p => p.Key).ShouldBe(["status", "version"], body);
        json["status"]!.GetValue<string>().ShouldBe("Unhealthy");
        foreach (var word in MonitoringHealth.Checks.Keys.Concat(["127.0.0.1", "localhost", "exception", "refused", "Npgsql", "shepherd_test"]))
        {
            body.ShouldNotContain(word, Case.Insensitive);
        }
    }

    /// <summary>The "database" entry of /api/monitoring/health (200 or 503, never anything else).</summary>
    private static async Task<JsonObject> DatabaseCheckAsync(HttpClient http)
    {
        var (status, body) = await GetAsync(http, "/api/monitoring/health");
        status.ShouldBeOneOf([HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable], body);
        return JsonNode.Parse(body)!["checks"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "database")!.AsObject();
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url, Cancel);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Cancel));
    }
}
