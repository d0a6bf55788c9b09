using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shepherd.Data;
using Shepherd.Operations.Migrations;
using Shepherd.Platform;

namespace Shepherd.Tests.Infrastructure;

/// <summary>Shepherd on a fresh SQLite file in a temporary data folder (a subclass adds settings of its own).</summary>
public class SqliteApp : ShepherdApp
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "shepherd-tests", Guid.NewGuid().ToString("N"));

    public SqliteApp()
    {
        Settings["Shepherd:DataFolder"] = _folder;
        Settings["Shepherd:Database:Provider"] = "Sqlite";
    }

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public string DataFolder => _folder;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a finished test is left for the OS to clean from the temp folder.
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// Shepherd on a fresh database in the PostgreSQL server that scripts/test starts
/// (connection string in SHEPHERD_TEST_POSTGRES), migrated with `migrate up`'s code before the app starts.
/// </summary>
public class PostgresApp : ShepherdApp
{
    private readonly string _database = $"shepherd_test_{Guid.NewGuid():N}";

    public PostgresApp()
    {
        Settings["Shepherd:Database:Provider"] = "Postgres";
        Settings["Shepherd:DataFolder"] = Path.Combine(Path.GetTempPath(), "shepherd-tests", _database);
        Settings["ConnectionStrings:Shepherd"] = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = _database }.ToString();
    }

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public string ConnectionString => Settings["ConnectionStrings:Shepherd"]!;

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("SHEPHERD_TEST_POSTGRES")
        ?? throw new InvalidOperationException(
            "SHEPHERD_TEST_POSTGRES is not set. Run the tests with scripts/test, which starts a throwaway PostgreSQL server and sets it.");

    public override async ValueTask InitializeAsync()
    {
        await using (var server = new NpgsqlConnection(ServerConnectionString))
        {
            await server.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", server);
            await create.ExecuteNonQueryAsync();
        }
        var services = new ServiceCollection().AddLogging().AddShepherdCore(Configuration).BuildServiceProvider();
        await using (services)
        {
            await services.GetRequiredService<SchemaMigrator>().ApplyAsync(CancellationToken.None);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var server = new NpgsqlConnection(ServerConnectionString);
        await server.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
        GC.SuppressFinalize(this);
    }
}
