using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shepherd.Data.Alerting;
using Shepherd.Tests.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Alerting;

/// <summary>
/// DatabaseDown when the database really goes away (PostgreSQL refusing connections to Shepherd's database): the evaluator
/// cannot use its lease or its tables, so it raises the alert from memory to the channels it last read, and records the
/// outage with a recovery notice once the database is back.
/// </summary>
public sealed class DatabaseOutageTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_unreachable_database_is_reported_after_a_minute_without_the_database_and_recorded_with_a_recovery_notice_when_it_is_back()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var scenario = await AlertScenario.StartAsync<PostgresApp>(configure: app =>
        {
            foreach (var (key, value) in smtp.ShepherdSettings)
            {
                app.With(key, value);
            }
        });
        scenario.Deliver = true;
        await scenario.AddAsync(new AlertChannel { Name = "on call", Kind = AlertChannelKind.Email, Target = "oncall@example.org", MinimumSeverity = AlertSeverity.P0, CreatedBy = "tests" });
        await scenario.StepAsync(TimeSpan.Zero);
        var database = new NpgsqlConnectionStringBuilder(scenario.App.Setting("ConnectionStrings:Shepherd")).Database!;

        await SetConnectionsAsync(database, allowed: false);
        try
        {
            (await scenario.StepAsync(Step)).Leader.ShouldBeFalse("no lease without a database");
            smtp.To("oncall@example.org").ShouldBeEmpty("down for less than the rule's minute");
            await scenario.StepAsync(Step);
            await scenario.StepAsync(Step);
            var alert = smtp.To("oncall@example.org").ShouldHaveSingleItem("one notice, and no repeat before 5 minutes");
            alert.Subject.ShouldBe("Shepherd [P0 FIRING] Shepherd cannot be reached (database or process down)");
            alert.TextBody.ShouldNotBeNull().ShouldContain("cannot reach its database");
        }
        finally
        {
            await SetConnectionsAsync(database, allowed: true);
        }

        await scenario.StepAsync(Step);
        var recovery = smtp.To("oncall@example.org")[^1];
        recovery.Subject.ShouldBe("Shepherd [P0 RESOLVED] Shepherd cannot be reached (database or process down)");
        var incident = await scenario.IncidentAsync("DatabaseDown");
        incident.ShouldNotBeNull().Status.ShouldBe(AlertStatus.Resolved);
        incident.PendingSince.ShouldBe(AlertScenario.Start + Step);
        incident.FiredAt.ShouldBe(AlertScenario.Start + 3 * Step);
        incident.NotificationCount.ShouldBe(1);
        await using var db = scenario.Database();
        (await db.AlertIncidents.CountAsync(i => i.RuleName == "DatabaseDown")).ShouldBe(1);
    }

    /// <summary>Refuses (or allows again) new connections to the database and ends the open ones: an outage for Shepherd alone.</summary>
    private static async Task SetConnectionsAsync(string database, bool allowed)
    {
        await using var server = new NpgsqlConnection(PostgresApp.ServerConnectionString);
        await server.OpenAsync();
        await using (var alter = new NpgsqlCommand($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS {(allowed ? "true" : "false")}", server))
        {
            await alter.ExecuteNonQueryAsync();
        }
        if (!allowed)
        {
            await using var terminate = new NpgsqlCommand(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @database AND pid <> pg_backend_pid()", server);
            terminate.Parameters.AddWithValue("database", database);
            await terminate.ExecuteNonQueryAsync();
        }
        NpgsqlConnection.ClearAllPools();
    }
}
