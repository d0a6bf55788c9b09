using System.Data;
using Npgsql;
using Shepherd.Data;

namespace Shepherd.Operations.Backups;

/// <summary>
/// Dumps the PostgreSQL database with pg_dump (custom format, already compressed). The row counts are taken in a
/// REPEATABLE READ transaction whose snapshot pg_dump is told to use, so counts and dump see the same data.
/// </summary>
public sealed class PostgresBackupSource(DatabaseTarget target)
{
    public const string PayloadFile = "database.pgdump";

    public async Task<BackupPayload> CopyAsync(string tempFile, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(target.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        string snapshot;
        await using (var export = new NpgsqlCommand("SELECT pg_export_snapshot()", connection, transaction))
        {
            snapshot = (string)(await export.ExecuteScalarAsync(cancellationToken))!;
        }
        var counts = await TableRowCounter.CountAsync(connection, transaction, await TableRowCounter.TablesAsync(connection, transaction, cancellationToken), cancellationToken);
        await PostgresTools.RunAsync("pg_dump", new NpgsqlConnectionStringBuilder(target.ConnectionString),
            ["--format=custom", "--no-owner", "--no-privileges", $"--snapshot={snapshot}", $"--file={tempFile}"], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new BackupPayload(tempFile, PayloadFile, counts);
    }
}
