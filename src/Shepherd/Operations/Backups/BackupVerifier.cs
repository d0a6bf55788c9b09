using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using Shepherd.Cli;
using Shepherd.Data;

namespace Shepherd.Operations.Backups;

/// <summary>
/// `backup verify`: a backup counts only once it has been restored. Checks, in order: the archive and manifest
/// can be read, the payload's SHA-256 matches, a real restore into a scratch database succeeds (SQLite:
/// integrity_check; PostgreSQL: pg_restore into a throwaway database), and every table's row count matches.
/// </summary>
public sealed class BackupVerifier(DatabaseTarget target, TimeProvider clock)
{
    /// <param name="progress">Bars or lines for a person at the shell; null for a job or a request.</param>
    public async Task<BackupVerification> VerifyAsync(string file, CancellationToken cancellationToken, CliProgress? progress = null)
    {
        progress ??= CliProgress.Silent;
        var started = Stopwatch.StartNew();
        var checks = new List<VerificationCheck>();
        long rows = 0;
        BackupManifest? manifest = null;
        try
        {
            manifest = await BackupArchive.ReadManifestAsync(file, cancellationToken);
            checks.Add(new("archive", true, $"manifest v{manifest.FormatVersion}, {manifest.Provider}, schema {manifest.SchemaVersion}, created {manifest.CreatedAt:u}"));
        }
        catch (InvalidDataException e)
        {
            checks.Add(new("archive", false, $"unreadable: {e.Message}"));
        }

        if (manifest is not null)
        {
            var temp = Path.Combine(Path.GetTempPath(), $"shepherd-verify-{Guid.NewGuid():N}");
            try
            {
                var (sha256, size) = await BackupArchive.ExtractPayloadAsync(
                    file, manifest, temp, cancellationToken, progress.Step("Reading and checksumming", manifest.PayloadSize));
                var checksumOk = string.Equals(sha256, manifest.PayloadSha256, StringComparison.OrdinalIgnoreCase) && size == manifest.PayloadSize;
                checks.Add(new("checksum", checksumOk, checksumOk
                    ? $"SHA-256 {sha256}"
                    : $"payload checksum mismatch: manifest expects SHA-256 {manifest.PayloadSha256} ({manifest.PayloadSize} bytes), payload has {sha256} ({size} bytes)"));
                if (checksumOk)
                {
                    var restoring = progress.Step("Restoring into a scratch database", 1);
                    var restored = manifest.Provider == DatabaseProvider.Sqlite
                        ? await RestoreSqliteAsync(temp, manifest, checks, cancellationToken)
                        : await RestorePostgresAsync(temp, manifest, checks, cancellationToken);
                    restoring.Advance();
                    if (restored is not null)
                    {
                        rows = restored.Values.Sum();
                        checks.Add(CompareCounts(manifest, restored));
                    }
                }
            }
            catch (InvalidDataException e)
            {
                checks.Add(new("checksum", false, $"unreadable payload: {e.Message}"));
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                File.Delete(temp);
            }
        }
        var verification = new BackupVerification(clock.GetUtcNow(), checks.All(c => c.Passed), started.Elapsed, rows, checks);
        if (File.Exists(file))
        {
            await verification.SaveAsync(file, cancellationToken);
        }
        return verification;
    }

    private static async Task<SortedDictionary<string, long>?> RestoreSqliteAsync(
        string payload, BackupManifest manifest, List<VerificationCheck> checks, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(SqliteFiles.ScratchConnectionString(payload));
        try
        {
            await connection.OpenAsync(cancellationToken);
            var problems = await SqliteFiles.IntegrityProblemsAsync(connection, cancellationToken);
            var ok = problems.Count == 0;
            checks.Add(new("restore", ok, ok ? "SQLite PRAGMA integrity_check: ok" : $"SQLite integrity check failed: {string.Join("; ", problems.Take(10))}"));
            return ok ? await CountAsync(connection, manifest, cancellationToken) : null;
        }
        catch (SqliteException e)
        {
            checks.Add(new("restore", false, $"SQLite could not open the restored database: {e.Message}"));
            return null;
        }
    }

    private async Task<SortedDictionary<string, long>?> RestorePostgresAsync(
        string payload, BackupManifest manifest, List<VerificationCheck> checks, CancellationToken cancellationToken)
    {
        if (target.Provider != DatabaseProvider.Postgres)
        {
            throw new CommandException(
                "This is a PostgreSQL backup; verifying it restores it on a PostgreSQL server: set Shepherd__Database__Provider=Postgres " +
                "and ConnectionStrings__Shepherd to a server where Shepherd may create a scratch database.");
        }
        await using var scratch = await ScratchDatabase.CreateAsync(target.ConnectionString, cancellationToken);
        try
        {
            await PostgresTools.RunAsync("pg_restore", scratch.Connection,
                ["--no-owner", "--no-privileges", "--exit-on-error", $"--dbname={scratch.Name}", payload], cancellationToken);
        }
        catch (CommandException e)
        {
            checks.Add(new("restore", false, e.Message));
            return null;
        }
        checks.Add(new("restore", true, $"pg_restore into scratch database {scratch.Name}: ok"));
        await using var connection = new NpgsqlConnection(scratch.Connection.ToString());
        await connection.OpenAsync(cancellationToken);
        return await CountAsync(connection, manifest, cancellationToken);
    }

    private static async Task<SortedDictionary<string, long>> CountAsync(System.Data.Common.DbConnection connection, BackupManifest manifest, CancellationToken cancellationToken)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in manifest.RowCounts.Keys)
        {
            try
            {
                foreach (var (name, count) in await TableRowCounter.CountAsync(connection, null, [table], cancellationToken))
                {
                    counts[name] = count;
                }
            }
            catch (System.Data.Common.DbException)
            {
                counts[table] = -1; // the table is missing from the restored database
            }
        }
        return counts;
    }

    private static VerificationCheck CompareCounts(BackupManifest manifest, SortedDictionary<string, long> restored)
    {
        var mismatches = manifest.RowCounts
            .Where(kv => restored.GetValueOrDefault(kv.Key, -1) != kv.Value)
            .Select(kv => restored.GetValueOrDefault(kv.Key, -1) < 0
                ? $"{kv.Key}: manifest {kv.Value}, table missing from the restore"
                : $"{kv.Key}: manifest {kv.Value}, restored {restored[kv.Key]}")
            .ToList();
        return mismatches.Count == 0
            ? new("row counts", true, $"{manifest.RowCounts.Count} tables, {restored.Values.Sum()} rows match the manifest")
            : new("row counts", false, $"row counts differ from the manifest in {mismatches.Count} table(s): {string.Join("; ", mismatches)}");
    }
}
