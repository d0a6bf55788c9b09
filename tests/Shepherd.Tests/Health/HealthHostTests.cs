using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Shepherd.Operations.Health;
using Shepherd.Operations.Migrations;
using Shepherd.Platform;
using Shepherd.Tests.Cli;
using Shepherd.Tests.Infrastructure;
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
        db.Settings["Shepherd:Health:DiskDegradedFreePercent"] = "100";
        await using var services = Services(db);
        await services.GetRequiredService<SchemaMigrator>().ApplyAsync(Cancel);
        var health = services.GetRequiredService<HealthCheckService>();

        var report = await health.CheckHealthAsync(c => c.Name is "database" or "migrations" or "disk" or "memory" or "thread-pool", Cancel);

        var disk = report.Entries["disk"];
        disk.Status.ShouldBe(HealthStatus.Degraded, disk.Description);
        disk.Data["degradedBelowFreePercent"].ShouldBe(100.0);
        disk.Description.ShouldNotBeNull().ShouldContain("running low");
        report.Status.ShouldBe(HealthStatus.Degraded);
        (await health.CheckHealthAsync(c => c.Tags.Contains(HealthEndpoints.ReadyTag), Cancel)).Status.ShouldNotBe(HealthStatus.Unhealthy);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task A_database_that_goes_away_makes_the_database_check_unhealthy_and_readiness_503_while_liveness_stays_200()
    {
        await using var db = await PostgresCliDatabase.CreateAsync();
        await db.Services.GetRequiredService<SchemaMigrator>().ApplyAsync(Cancel);
        await using var app = WebApp(db);
        using var http = app.CreateClient();
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

        // Probes come without a token (an orchestrator has none).
        using var anonymous = app.CreateClient();
        using (var ready = await anonymous.GetAsync("/healthz/ready", Cancel))
        {
            ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            (await ready.Content.ReadAsStringAsync(Cancel)).ShouldContain("\"status\":\"Unhealthy\"");
        }
        using (var live = await anonymous.GetAsync("/healthz/live", Cancel))
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
        await using var services = Services(db);
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

    /// <summary>Shepherd's core services and the health checks on the database's settings, without a web host.</summary>
    private static ServiceProvider Services(CliDatabase db)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(db.Settings).Build();
        return new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddShepherdCore(configuration).AddShepherdHealthChecks().BuildServiceProvider();
    }

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
}
