using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using Shepherd.Cli;
using Shepherd.Data;

namespace Shepherd.Operations.Backups;

/// <summary>
/// Puts the contents of a backup in place of the configured database, all or nothing: on SQLite a checked copy is
/// swapped in with one rename; on PostgreSQL everything in Shepherd's schema is dropped and the dump replayed in one
/// transaction. Used by `backup restore` and by `migrate` when a migration fails.
/// </summary>
public sealed class DatabaseReplacer(DatabaseTarget target)
{
    public async Task ReplaceAsync(string backupFile, BackupManifest manifest, CancellationToken cancellationToken)
    {
        if (target.Provider == DatabaseProvider.Sqlite)
        {
            await ReplaceSqliteAsync(backupFile, manifest, cancellationToken);
        }
        else
        {
            await ReplacePostgresAsync(backupFile, manifest, cancellationToken);
        }
    }

    /// <summary>
    /// Writes the payload next to the live file, checks it, then swaps it in, so a crash leaves either the old or the
    /// new database, never a mix. The live WAL is checkpointed first and the old sidecars removed with the swap.
    /// </summary>
    private async Task ReplaceSqliteAsync(string backupFile, BackupManifest manifest, CancellationToken cancellationToken)
    {
        var live = target.SqliteFile!;
        Directory.CreateDirectory(Path.GetDirectoryName(live)!);
        var temp = $"{live}.restore-{Guid.NewGuid():N}.tmp";
        try
        {
            await ExtractCheckedAsync(backupFile, manifest, temp, cancellationToken);
            await using (var copy = new SqliteConnection(SqliteFiles.ScratchConnectionString(temp)))
            {
                await copy.OpenAsync(cancellationToken);
                var problems = await SqliteFiles.IntegrityProblemsAsync(copy, cancellationToken);
                if (problems.Count > 0)
                {
                    throw new CommandException(
                        $"The restored copy fails SQLite's integrity check ({string.Join("; ", problems.Take(10))}); the live database was not touched.");
                }
            }
            if (File.Exists(live))
            {
                await using var current = new SqliteConnection(SqliteFiles.ScratchConnectionString(live));
                await current.OpenAsync(cancellationToken);
                await using var checkpoint = current.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                await checkpoint.ExecuteNonQueryAsync(cancellationToken);
            }
            SqliteFiles.Replace(live, temp);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(temp);
            SqliteFiles.DeleteSidecars(temp);
        }
    }

    /// <summary>
    /// `pg_restore --clean` would drop only what the dump contains, so tables a newer schema added would survive and
    /// break the forward migration. Instead every table, view and sequence in the schema is dropped and the dump's SQL
    /// (pg_restore to stdout) is replayed by psql, in one transaction: if anything fails, nothing changed.
    /// </summary>
    private async Task ReplacePostgresAsync(string backupFile, BackupManifest manifest, CancellationToken cancellationToken)
    {
        var dump = Path.Combine(Path.GetTempPath(), $"shepherd-restore-{Guid.NewGuid():N}");
        try
        {
            await ExtractCheckedAsync(backupFile, manifest, dump, cancellationToken);
            NpgsqlConnection.ClearAllPools();
            var connection = new NpgsqlConnectionStringBuilder(target.ConnectionString);
            using var restore = PostgresTools.Start("pg_restore", connection,
                ["--no-owner", "--no-privileges", "--file=-", dump], redirectInput: false);
            using var psql = PostgresTools.Start("psql", connection,
                ["--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1", $"--dbname={connection.Database}", "--file=-"], redirectInput: true);
            var restoreErrors = restore.StandardError.ReadToEndAsync(cancellationToken);
            var psqlErrors = psql.StandardError.ReadToEndAsync(cancellationToken);
            var psqlOutput = psql.StandardOutput.ReadToEndAsync(cancellationToken);
            try
            {
                await psql.StandardInput.WriteAsync(DropEverything.AsMemory(), cancellationToken);
                await psql.StandardInput.FlushAsync(cancellationToken);
                await restore.StandardOutput.BaseStream.CopyToAsync(psql.StandardInput.BaseStream, cancellationToken);
                psql.StandardInput.Close();
                await restore.WaitForExitAsync(cancellationToken);
                await psql.WaitForExitAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                Kill(restore);
                Kill(psql);
                throw new CommandException($"Restoring into PostgreSQL stopped ({e.Message}); the transaction was rolled back, nothing changed. {await psqlErrors}");
            }
            await psqlOutput;
            if (restore.ExitCode != 0 || psql.ExitCode != 0)
            {
                throw new CommandException(
                    $"Restoring into PostgreSQL failed; the transaction was rolled back and nothing changed. pg_restore: {(await restoreErrors).Trim()} psql: {(await psqlErrors).Trim()}");
            }
        }
        finally
        {
            File.Delete(dump);
        }
    }

    /// <summary>Drops every table, view and sequence in the current schema (the dump recreates what it holds).</summary>
    private const string DropEverything = """
        DO $shepherd$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT c.relname, c.relkind FROM pg_catalog.pg_class c
                     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                     ORDER BY c.relkind = 'S' -- tables first: they take their identity sequences with them
            LOOP
                EXECUTE format(CASE r.relkind
                    WHEN 'v' THEN 'DROP VIEW IF EXISTS %I CASCADE'
                    WHEN 'm' THEN 'DROP MATERIALIZED VIEW IF EXISTS %I CASCADE'
                    WHEN 'S' THEN 'DROP SEQUENCE IF EXISTS %I CASCADE'
                    WHEN 'f' THEN 'DROP FOREIGN TABLE IF EXISTS %I CASCADE'
                    ELSE 'DROP TABLE IF EXISTS %I CASCADE' END, r.relname);
            END LOOP;
        END
        $shepherd$;

        """;

    private static void Kill(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Extracts the payload again and re-checks its checksum: the file could have changed since it was verified.</summary>
    private static async Task ExtractCheckedAsync(string file, BackupManifest manifest, string destination, CancellationToken cancellationToken)
    {
        var (sha256, size) = await BackupArchive.ExtractPayloadAsync(file, manifest, destination, cancellationToken);
        if (!string.Equals(sha256, manifest.PayloadSha256, StringComparison.OrdinalIgnoreCase) || size != manifest.PayloadSize)
        {
            throw new CommandException($"The payload of {file} changed after it was verified (SHA-256 {sha256}); nothing was restored.");
        }
    }
}
