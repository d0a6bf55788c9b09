using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Shepherd.Operations.Migrations;

public static class MigrationOutcome
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>One attempt to apply a migration, as recorded in shepherd_migration_history.</summary>
public sealed record MigrationHistoryEntry(
    string MigrationId, string Checksum, DateTimeOffset AppliedAt, long DurationMs, string AppVersion, string AppliedBy, string Outcome, string? Error);

/// <summary>
/// Shepherd's own record of every migration attempt: checksum, duration, who ran it and how it ended.
/// It is operational metadata, not part of the EF model, so it is created with plain SQL on both providers;
/// EF's __EFMigrationsHistory remains the truth about what is applied.
/// </summary>
public sealed class MigrationHistory(DbContext db)
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

    public async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = Command(db.Database.IsSqlite() ? SqliteTable : PostgresTable);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Every recorded attempt, oldest first; none when the table does not exist yet (reading never creates it).</summary>
    public async Task<IReadOnlyList<MigrationHistoryEntry>> ReadAsync(CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
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
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public async Task RecordAsync(MigrationHistoryEntry entry, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await InsertAsync(entry, cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task InsertAsync(MigrationHistoryEntry entry, CancellationToken cancellationToken)
    {
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
        await using var command = Command(db.Database.IsSqlite()
            ? $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{Table}'"
            : $"SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = '{Table}' AND schemaname = current_schema()");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>A command on the context's connection, which the caller has opened.</summary>
    private DbCommand Command(string sql)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
