using System.Data.Common;
using System.Globalization;

namespace Shepherd.Operations.Maintenance;

/// <summary>
/// SQLite upkeep: statistics for the planner (ANALYZE once, then <c>PRAGMA optimize</c>), the WAL folded back into
/// the file, VACUUM when many pages are free, and <c>PRAGMA quick_check</c> (the fast form of integrity_check).
/// </summary>
public static class SqliteMaintenance
{
    public static async Task<MaintenanceReport> RunAsync(DbConnection connection, MaintenanceReport report, double vacuumFreePercent, ILogger logger, CancellationToken cancellationToken)
    {
        var steps = new List<string>();
        var neverAnalyzed = await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'", cancellationToken) == 0;
        if (neverAnalyzed)
        {
            await ExecuteAsync(connection, "ANALYZE", cancellationToken);
            steps.Add("ANALYZE (the database had never been analyzed)");
        }
        await ExecuteAsync(connection, "PRAGMA optimize", cancellationToken);
        steps.Add("PRAGMA optimize");

        steps.Add(await CheckpointAsync(connection, cancellationToken));
        var pages = await ScalarAsync(connection, "PRAGMA page_count", cancellationToken);
        var free = await ScalarAsync(connection, "PRAGMA freelist_count", cancellationToken);
        var freePercent = pages == 0 ? 0 : 100.0 * free / pages;
        var vacuumed = false;
        if (freePercent > vacuumFreePercent)
        {
            logger.LogInformation("Maintenance: {Free} of {Pages} pages are free ({Percent:F1} % > {Threshold} %): VACUUM", free, pages, freePercent, vacuumFreePercent);
            await ExecuteAsync(connection, "VACUUM", cancellationToken);
            steps.Add(string.Create(CultureInfo.InvariantCulture, $"VACUUM ({freePercent:F1} % of pages were free)"));
            steps.Add(await CheckpointAsync(connection, cancellationToken));
            vacuumed = true;
        }
        var pagesAfter = await ScalarAsync(connection, "PRAGMA page_count", cancellationToken);

        var problems = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA quick_check";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                problems.Add(reader.GetString(0));
            }
        }
        var ok = problems is ["ok"];
        steps.Add("PRAGMA quick_check");
        return report with
        {
            Steps = steps,
            IntegrityOk = ok,
            IntegrityDetail = ok ? "quick_check: ok" : $"quick_check: {string.Join("; ", problems.Take(10))}",
            PagesBefore = pages,
            PagesAfter = pagesAfter,
            FreePagesPercent = freePercent,
            Vacuumed = vacuumed,
            Analyzed = neverAnalyzed,
        };
    }

    private static async Task<string> CheckpointAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        // busy = 1 when a reader or writer kept the checkpoint from finishing; it completes at a later one.
        return reader.GetInt64(0) == 0 ? "PRAGMA wal_checkpoint(TRUNCATE)" : "PRAGMA wal_checkpoint(TRUNCATE) (busy: partly done)";
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0; // VACUUM of a large file takes as long as it takes, inside the maintenance window
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> ScalarAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}
