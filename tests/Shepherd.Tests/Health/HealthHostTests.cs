using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Shepherd.Operations.Health;
using Shepherd.Operations.Maintenance;
using Shepherd.Operations.Migrations;
using Shepherd.Platform;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Cli;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Jobs;
using Shouldly;

namespace Shepherd.Tests.Health;

/// <summary>Health checks in hosts of their own, with their own settings and databases (the shared apps stay intact).</summary>
public sealed class HealthHostTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_disk_threshold_above_the_free_space_turns_disk_and_the_overall_status_degraded_but_not_readiness()
    {
        await using var db = new SqliteCliDatabase();
        await using var app = WebApp(db, new() { ["Shepherd:Health:DiskDegradedFreePercent"] = "100" });
        using var http = await AdministratorClientAsync(app);

        var body = await MonitoringHealth.MonitoringAsync(http);

        var disk = body["checks"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "disk")!;
        disk["status"]!.GetValue<string>().ShouldBe("Degraded");
        disk["data"]!["degradedBelowFreePercent"]!.GetValue<double>().ShouldBe(100);
        disk["description"]!.GetValue<string>().ShouldContain("running low");
        body["status"]!.GetValue<string>().ShouldBe("Degraded");
        using var ready = await http.GetAsync("/healthz/ready", Cancel);
        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_database_that_goes_away_makes_the_database_check_unhealthy_and_readiness_503_while_liveness_stays_200()
    {
        await using var db = await PostgresCliDatabase.CreateAsync();
        await db.Services.GetRequiredService<SchemaMigrator>().ApplyAsync(Cancel);
        await using var app = WebApp(db);
        using var http = await AdministratorClientAsync(app);
        using (var before = await http.GetAsync("/healthz/ready", Cancel))
        {
            before.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await using (var server = new NpgsqlConnection(PostgresApp.ServerConnectionString))
        {
            await server.OpenAsync(Cancel);
            var name = new NpgsqlConnectionStringBuilder(db.Settings["ConnectionStrings:Shepherd"]).Database;
            await using var drop = new NpgsqlCommand($"DROP DATABASE \"{name}\" WITH (FORCE)", server);
            await drop.ExecuteNonQueryAsync(Cancel);
        }

        using (var ready = await http.GetAsync("/healthz/ready", Cancel))
        {
            ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            (await ready.Content.ReadAsStringAsync(Cancel)).ShouldContain("\"status\":\"Unhealthy\"");
        }
        using (var live = await http.GetAsync("/healthz/live", Cancel))
        {
            live.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == "database", Cancel);
        report.Status.ShouldBe(HealthStatus.Unhealthy);
        report.Entries["database"].Description.ShouldNotBeNull().ShouldStartWith("The database does not answer (");
    }

    [Fact]
    public async Task Pending_migrations_make_the_migrations_check_and_readiness_unhealthy()
    {
        await using var db = await PostgresCliDatabase.CreateAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(db.Settings).Build();
        await using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddShepherdCore(configuration).AddShepherdHealthChecks().BuildServiceProvider();
        var health = services.GetRequiredService<HealthCheckService>();

        var pending = await health.CheckHealthAsync(c => c.Tags.Contains(HealthEndpoints.ReadyTag), Cancel);

        pending.Status.ShouldBe(HealthStatus.Unhealthy);
        pending.Entries["migrations"].Status.ShouldBe(HealthStatus.Unhealthy);
        pending.Entries["migrations"].Description.ShouldNotBeNull().ShouldContain("run `shepherd migrate up`");
        ((int)pending.Entries["migrations"].Data["pending"]).ShouldBeGreaterThan(0);

        await services.GetRequiredService<SchemaMigrator>().ApplyAsync(Cancel);
        var migrated = await health.CheckHealthAsync(c => c.Tags.Contains(HealthEndpoints.ReadyTag), Cancel);
        migrated.Entries["migrations"].Status.ShouldBe(HealthStatus.Healthy);
        migrated.Entries["database"].Status.ShouldNotBe(HealthStatus.Unhealthy);
        NpgsqlConnection.ClearAllPools();
    }

    [Fact]
    public async Task Jobs_report_their_last_run_and_turn_degraded_when_a_scheduled_job_is_overdue_by_more_than_a_day()
    {
        await using var db = new SqliteCliDatabase();
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        // Scheduled twelve hours away, so Quartz (on real time) does not fire it during the test.
        var settings = new Dictionary<string, string?>
        {
            ["Shepherd:Maintenance:Enabled"] = "true",
            ["Shepherd:Maintenance:Time"] = TimeProvider.System.GetUtcNow().AddHours(12).ToString("HH:mm", CultureInfo.InvariantCulture),
            ["Shepherd:Maintenance:TimeZone"] = "Etc/UTC",
        };
        await using var jobs = await JobHost.StartAsync(db, settings, s => s.AddSingleton<TimeProvider>(clock));

        var fresh = await JobsAsync(jobs);
        fresh.Status.ShouldBe(HealthStatus.Healthy, fresh.Description);
        fresh.Data[$"{DatabaseMaintenanceJob.Key.Name}.lastRun"].ShouldBe("never (in this process)");

        await jobs.RunAsync<MaintenanceReport>(DatabaseMaintenanceJob.Key);
        var ran = await JobsAsync(jobs);
        ran.Status.ShouldBe(HealthStatus.Healthy, ran.Description);
        ran.Data[$"{DatabaseMaintenanceJob.Key.Name}.lastOutcome"].ShouldBe("succeeded");

        clock.Advance(TimeSpan.FromHours(49));
        var overdue = await JobsAsync(jobs);
        overdue.Status.ShouldBe(HealthStatus.Degraded);
        overdue.Description.ShouldNotBeNull().ShouldContain($"{DatabaseMaintenanceJob.Key.Name} is overdue");
    }

    private static async Task<HealthReportEntry> JobsAsync(JobHost jobs) =>
        (await jobs.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == "jobs", Cancel)).Entries["jobs"];

    private static WebApplicationFactory<Program> WebApp(CliDatabase db, Dictionary<string, string?>? settings = null) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.UseSetting("Shepherd:Jobs:Enabled", "false");
            foreach (var (key, value) in db.Settings.Concat(settings ?? []))
            {
                b.UseSetting(key, value);
            }
        });

    /// <summary>A client with a platform administrator's token (read scope only) on this app.</summary>
    private static async Task<HttpClient> AdministratorClientAsync(WebApplicationFactory<Program> app)
    {
        var email = $"health-{Guid.NewGuid():N}@example.org";
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AdministratorSetup>()
                .CreateAsync(email, "correct horse battery staple", "Health Church", Cancel, true);
        }
        await using var tokenScope = app.Services.CreateAsyncScope();
        var token = await tokenScope.ServiceProvider.GetRequiredService<ApiTokenIssuer>()
            .IssueAsync(email, "health", "Health Church", [ApiScopes.Read], null, Cancel);
        var http = app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return http;
    }
}
