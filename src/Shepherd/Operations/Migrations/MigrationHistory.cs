using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Shepherd.Operations.Migrations;

public static class MigrationOutcome
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>Taken back by `migrate down`.</summary>
    public const string Reverted = "reverted";
}

/// <summary>One attempt to apply a migration, as recorded in shepherd_migration_history.</summary>
public sealed record MigrationHistoryEntry(
    string MigrationId, string Checksum, DateTimeOffset AppliedAt, long DurationMs, string AppVersion, string AppliedBy, string Outcome, string? Error);

/// <summary>
/// Shepherd's own record of every migration attempt: checksum, duration, who ran it and how it ended.
/// It is operational metadata, not part of the EF model, so it is created with plain SQL on both providers;
/// EF's __EFMigrationsHistory remains the truth about what is applied. Writes can join a transaction, so that on
/// PostgreSQL a migration and its record commit or roll back together.
/// </summary>
public sealed class MigrationHistory(DbConnection connection, bool sqlite, DbTransaction? transaction = null)
{
    public const string Table = "shepherd_migration_history";

    private const string SqliteTable = $"""
        CREATE TABLE IF NOT EXISTS {Table} (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            migration_id TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at TEXT NOT NULL,
            duration_ms INTEGER NOT NULL,
            app_version TEXT NOT NULL,
            applied_by TEXT NOT NULL,
            outcome TEXT NOT NULL,
            error TEXT NULL)
        """;

    private const string PostgresTable = $"""
        CREATE TABLE IF NOT EXISTS {Table} (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            migration_id text NOT NULL,
            checksum text NOT NULL,
            applied_at timestamptz NOT NULL,
            duration_ms bigint NOT NULL,
            app_version text NOT NULL,
            applied_by text NOT NULL,
            outcome text NOT NULL,
            error text NULL)
        """;

    /// <summary>The history of the database a context points at.</summary>
    public MigrationHistory(DbContext db) : this(db.Database.GetDbConnection(), db.Database.IsSqlite())
    {
    }

    /// <summary>Every recorded attempt, oldest first; none when the table does not exist yet (reading never creates it).</summary>
    public async Task<IReadOnlyList<MigrationHistoryEntry>> ReadAsync(CancellationToken cancellationToken)
    {
        await using var open = await OpenAsync(cancellationToken);
        if (!await ExistsAsync(cancellationToken))
        {
            return [];
        }
        await using var command = Command(
            $"SELECT migration_id, checksum, applied_at, duration_ms, app_version, applied_by, outcome, error FROM {Table} ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<MigrationHistoryEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new MigrationHistoryEntry(
                reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt64(3),
                reader.GetString(4), reader.GetString(5), reader.GetString(6), await reader.IsDBNullAsync(7, cancellationToken) ? null : reader.GetString(7)));
        }
        return entries;
    }

    /// <summary>Adds one attempt, creating the table on first use.</summary>
    public async Task RecordAsync(MigrationHistoryEntry entry, CancellationToken cancellationToken)
    {
        await using var open = await OpenAsync(cancellationToken);
        await using (var create = Command(sqlite ? SqliteTable : PostgresTable))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var command = Command(
            $"INSERT INTO {Table} (migration_id, checksum, applied_at, duration_ms, app_version, applied_by, outcome, error) " +
            "VALUES (@id, @checksum, @at, @duration, @version, @by, @outcome, @error)");
        Add(command, "id", entry.MigrationId);
        Add(command, "checksum", entry.Checksum);
        Add(command, "at", entry.AppliedAt.ToUniversalTime());
        Add(command, "duration", entry.DurationMs);
        Add(command, "version", entry.AppVersion);
        Add(command, "by", entry.AppliedBy);
        Add(command, "outcome", entry.Outcome);
        Add(command, "error", (object?)entry.Error ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<bool> ExistsAsync(CancellationToken cancellationToken)
    {
        await using var command = Command(sqlite
            ? $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{Table}'"
            : $"SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = '{Table}' AND schemaname = current_schema()");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>Opens the connection if it is closed, and closes it again when disposed only in that case.</summary>
    private async Task<IAsyncDisposable> OpenAsync(CancellationToken cancellationToken)
    {
        if (connection.State == System.Data.ConnectionState.Open)
        {
            return NothingToClose.Instance;
        }
        await connection.OpenAsync(cancellationToken);
        return new CloseOnDispose(connection);
    }

    private DbCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private sealed class CloseOnDispose(DbConnection connection) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => new(connection.CloseAsync());
    }

    private sealed class NothingToClose : IAsyncDisposable
    {
        public static readonly NothingToClose Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
