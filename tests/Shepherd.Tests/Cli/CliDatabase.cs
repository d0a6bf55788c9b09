using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Platform;
using Shepherd.Tests.Infrastructure;

namespace Shepherd.Tests.Cli;

/// <summary>
/// A fresh, empty (unmigrated) database for one CLI test, with the settings that point a `shepherd` process,
/// EF or the web app at it. Disposing it deletes it.
/// </summary>
public abstract class CliDatabase : IAsyncDisposable
{
    private ServiceProvider? _services;

    public abstract DatabaseProvider Provider { get; }

    /// <summary>Settings in configuration form (Shepherd:DataFolder, ...).</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>The same settings as environment variables for a child process (Shepherd__DataFolder, ...).</summary>
    public IReadOnlyDictionary<string, string?> Environment =>
        Settings.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);

    public Task<ProcessResult> RunAsync(params string[] args) => ShepherdProcess.RunAsync(Environment, args);

    /// <summary>A context acting for one organization (null: no tenant rows), to check what is really stored.</summary>
    public ShepherdDbContext Context(long? organizationId) =>
        Services.GetRequiredService<ShepherdDbContextFactory>().Create(organizationId, AuditActor.System);

    /// <summary>Shepherd's services on these settings (built on first use, so set <see cref="Settings"/> before).</summary>
    public IServiceProvider Services => _services ??= new ServiceCollection().AddLogging()
        .AddShepherdCore(new ConfigurationBuilder().AddInMemoryCollection(Settings).Build())
        .BuildServiceProvider();

    public virtual async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteCliDatabase : CliDatabase
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "shepherd-cli-tests", Guid.NewGuid().ToString("N"));

    public SqliteCliDatabase()
    {
        Settings["Shepherd:DataFolder"] = _folder;
        Settings["Shepherd:Database:Provider"] = "Sqlite";
    }

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

/// <summary>A new database on the PostgreSQL server that scripts/test starts (SHEPHERD_TEST_POSTGRES).</summary>
public sealed class PostgresCliDatabase : CliDatabase
{
    private readonly string _database = $"shepherd_cli_{Guid.NewGuid():N}";

    private PostgresCliDatabase()
    {
        Settings["Shepherd:Database:Provider"] = "Postgres";
        Settings["Shepherd:DataFolder"] = Path.Combine(Path.GetTempPath(), "shepherd-cli-tests", _database);
        Settings["ConnectionStrings:Shepherd"] =
            new NpgsqlConnectionStringBuilder(PostgresApp.ServerConnectionString) { Database = _database }.ToString();
    }

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public static async Task<PostgresCliDatabase> CreateAsync()
    {
        var database = new PostgresCliDatabase();
        await using var server = new NpgsqlConnection(PostgresApp.ServerConnectionString);
        await server.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database._database}\"", server);
        await create.ExecuteNonQueryAsync();
        return database;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var server = new NpgsqlConnection(PostgresApp.ServerConnectionString);
        await server.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
        // The data folder holds this database's backups and logs.
        var folder = Settings["Shepherd:DataFolder"]!;
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
