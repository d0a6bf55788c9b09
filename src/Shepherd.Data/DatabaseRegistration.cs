using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Shepherd.Data;

/// <summary>Chooses the provider from configuration and registers the pooled context and the tenant-aware factory.</summary>
public static class DatabaseRegistration
{
    public const string SqliteMigrationsAssembly = "Shepherd.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "Shepherd.Migrations.Postgres";

    public static IServiceCollection AddShepherdDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section));
        // Read when first needed, not now: hosts (and tests) may add configuration sources after registration.
        services.AddSingleton(_ => new DataFolder(Path.GetFullPath(configuration["Shepherd:DataFolder"] ?? "data")));
        services.AddSingleton(sp => DatabaseTarget.From(
            configuration,
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value,
            sp.GetRequiredService<DataFolder>()));
        services.AddMetrics();
        services.AddSingleton<DatabaseCommandMetrics>();
        services.AddPooledDbContextFactory<ShepherdDbContext>((sp, options) =>
            sp.GetRequiredService<DatabaseTarget>().Configure(options, sp.GetRequiredService<DatabaseCommandMetrics>()));
        services.AddSingleton<ShepherdDbContextFactory>();
        services.AddScoped<TenantContext>();
        services.AddScoped(sp => sp.GetRequiredService<ShepherdDbContextFactory>().Create(sp.GetRequiredService<TenantContext>()));
        return services;
    }
}

/// <summary>The database this process talks to: provider and connection string, resolved once from settings.</summary>
public sealed record DatabaseTarget(DatabaseProvider Provider, string ConnectionString, DatabaseOptions Options)
{
    public static DatabaseTarget From(IConfiguration configuration, DatabaseOptions options, DataFolder folder)
    {
        var configured = configuration.GetConnectionString("Shepherd");
        if (options.Provider == DatabaseProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(configured))
            {
                throw new SettingsException(
                    "Shepherd__Database__Provider is Postgres but no connection string is set: set ConnectionStrings__Shepherd, " +
                    "e.g. \"Host=db;Database=shepherd;Username=shepherd;Password=...\".");
            }
            return new DatabaseTarget(options.Provider, configured, options);
        }
        var builder = new SqliteConnectionStringBuilder(configured ?? $"Data Source={folder.DatabaseFile}")
        {
            ForeignKeys = true,
            DefaultTimeout = options.BusyTimeoutSeconds,
            Pooling = true,
        };
        return new DatabaseTarget(options.Provider, builder.ToString(), options);
    }

    /// <summary>The database for messages to a person: the SQLite file, or "PostgreSQL database X on host:port" (never the password).</summary>
    public string Description
    {
        get
        {
            if (SqliteFile is { } file)
            {
                return file;
            }
            var postgres = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
            return $"PostgreSQL database {postgres.Database} on {postgres.Host}:{postgres.Port}";
        }
    }

    /// <summary>The SQLite file, or null for PostgreSQL.</summary>
    public string? SqliteFile => Provider == DatabaseProvider.Sqlite
        ? Path.GetFullPath(new SqliteConnectionStringBuilder(ConnectionString).DataSource)
        : null;

    /// <summary>The assembly named by <see cref="DatabaseOptions.MigrationsAssembly"/>, or null for the built-in one.</summary>
    private System.Reflection.Assembly? LoadMigrationsAssembly()
    {
        if (string.IsNullOrWhiteSpace(Options.MigrationsAssembly))
        {
            return null;
        }
        var path = Path.GetFullPath(Options.MigrationsAssembly, AppContext.BaseDirectory);
        return File.Exists(path)
            ? System.Reflection.Assembly.LoadFrom(path)
            : throw new SettingsException($"Shepherd__Database__MigrationsAssembly names {path}, which does not exist. Unset it to use the built-in migrations.");
    }

    public void Configure(DbContextOptionsBuilder options, DatabaseCommandMetrics? metrics = null)
    {
        var migrations = LoadMigrationsAssembly();
        if (Provider == DatabaseProvider.Postgres)
        {
            options.UseNpgsql(ConnectionString, o => _ = migrations is null
                ? o.MigrationsAssembly(DatabaseRegistration.PostgresMigrationsAssembly)
                : o.MigrationsAssembly(migrations));
        }
        else
        {
            if (SqliteFile is { } file)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            }
            options.UseSqlite(ConnectionString, o => _ = migrations is null
                    ? o.MigrationsAssembly(DatabaseRegistration.SqliteMigrationsAssembly)
                    : o.MigrationsAssembly(migrations))
                .AddInterceptors(new SqlitePragmas(Options));
        }
        options.UseSnakeCaseNamingConvention();
        if (metrics is not null)
        {
            options.AddInterceptors(metrics);
        }
        // Shepherd applies PostgreSQL migrations inside a transaction of its own, so that a run is all or nothing.
        options.ConfigureWarnings(w => w.Ignore(RelationalEventId.MigrationsUserTransactionWarning));
    }
}

/// <summary>
/// Per-connection SQLite settings: WAL journal, durability level and how long to wait for a busy writer. A read-only
/// connection (EF opens one to ask whether the file exists) only waits: changing the journal mode is a write.
/// </summary>
internal sealed class SqlitePragmas(DatabaseOptions options) : DbConnectionInterceptor
{
    private readonly string _readWrite =
        $"PRAGMA journal_mode=WAL; PRAGMA synchronous={options.SqliteSynchronous}; PRAGMA busy_timeout={options.BusyTimeoutSeconds * 1000};";

    private readonly string _readOnly = $"PRAGMA busy_timeout={options.BusyTimeoutSeconds * 1000};";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = SqlFor(connection);
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = SqlFor(connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private string SqlFor(DbConnection connection) =>
        new SqliteConnectionStringBuilder(connection.ConnectionString).Mode == SqliteOpenMode.ReadOnly ? _readOnly : _readWrite;
}

/// <summary>A setting is missing or wrong; the message names the setting and the fix.</summary>
public sealed class SettingsException(string message) : Exception(message);
