using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shepherd.Cli;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Data.Organizations;
using Shepherd.Operations.Migrations;
using Shepherd.Platform;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Database;

/// <summary>What happens to the database when Shepherd starts: the embedded default migrates itself safely; PostgreSQL waits for an operator.</summary>
public sealed class StartupTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "shepherd-tests", Guid.NewGuid().ToString("N"));

    private ServiceProvider SqliteServices() => new ServiceCollection().AddLogging()
        .AddShepherdCore(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Shepherd:DataFolder"] = _folder }).Build())
        .BuildServiceProvider();

    [Fact]
    public async Task The_embedded_database_uses_wal_and_foreign_keys()
    {
        await using var services = SqliteServices();
        await services.GetRequiredService<SchemaMigrator>().ApplyAsync(CancellationToken.None);
        await using var db = services.GetRequiredService<ShepherdDbContextFactory>().Create(null, AuditActor.System);
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();

        (await Scalar(connection, "PRAGMA journal_mode")).ShouldBe("wal");
        (await Scalar(connection, "PRAGMA foreign_keys")).ShouldBe("1");
        (await Scalar(connection, "PRAGMA synchronous")).ShouldBe("2"); // FULL
    }

    [Fact]
    public async Task A_failed_migration_puts_the_database_back_from_the_backup_it_took_first()
    {
        await using var services = SqliteServices();
        var migrator = services.GetRequiredService<SchemaMigrator>();
        await migrator.ApplyAsync(CancellationToken.None);
        var factory = services.GetRequiredService<ShepherdDbContextFactory>();
        await using (var db = factory.Create(null, AuditActor.System))
        {
            db.Organizations.Add(new Organization { Name = "Precious data" });
            await db.SaveChangesAsync();
            // Forget that the first migration ran, so applying it again fails half-way (its tables exist).
            await db.Database.ExecuteSqlRawAsync("DELETE FROM \"__EFMigrationsHistory\"");
        }

        var failure = await Should.ThrowAsync<CommandException>(() => migrator.ApplyAsync(CancellationToken.None));

        failure.Message.ShouldContain("restored from the backup");
        Directory.GetFiles(Path.Combine(_folder, "backups"), "shepherd-*-pre-migrate.backup").Length.ShouldBe(1);
        SqliteConnection.ClearAllPools();
        await using var after = factory.Create(null, AuditActor.System);
        (await after.Organizations.Select(o => o.Name).ToListAsync()).ShouldBe(["Precious data"]);
    }

    [Fact]
    public async Task PostgreSQL_with_pending_migrations_refuses_to_start_and_names_the_command()
    {
        var database = $"shepherd_test_{Guid.NewGuid():N}";
        await using (var server = new NpgsqlConnection(PostgresApp.ServerConnectionString))
        {
            await server.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE \"{database}\"", server).ExecuteNonQueryAsync();
        }
        try
        {
            await using var app = ShepherdWebApp.Build([
                "--urls=http://127.0.0.1:0",
                "--Shepherd:Database:Provider=Postgres",
                $"--Shepherd:DataFolder={_folder}",
                $"--ConnectionStrings:Shepherd={new NpgsqlConnectionStringBuilder(PostgresApp.ServerConnectionString) { Database = database }}",
            ]);

            var failure = await Should.ThrowAsync<SettingsException>(() => app.StartAsync());

            failure.Message.ShouldContain("pending migration");
            failure.Message.ShouldContain("shepherd migrate up");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var server = new NpgsqlConnection(PostgresApp.ServerConnectionString);
            await server.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", server).ExecuteNonQueryAsync();
        }
    }

    private static async Task<string?> Scalar(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
