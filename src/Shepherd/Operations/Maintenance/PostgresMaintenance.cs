using System.Data.Common;

namespace Shepherd.Operations.Maintenance;

/// <summary>
/// PostgreSQL upkeep: ANALYZE (fresh planner statistics), then a report of dead-row bloat per table and of
/// transactions held open long enough to stop autovacuum, both logged as warnings for an operator.
/// Autovacuum does the vacuuming; this job reports when it cannot keep up.
/// </summary>
public static class PostgresMaintenance
{
    /// <summary>A table is reported as bloated when dead rows exceed this share and this count.</summary>
    private const double BloatPercent = 20;
    private const long BloatRows = 1000;

    public static async Task<MaintenanceReport> RunAsync(DbConnection connection, MaintenanceReport report, int longTransactionSeconds, ILogger logger, CancellationToken cancellationToken)
    {
        await using (var analyze = connection.CreateCommand())
        {
            analyze.CommandText = "ANALYZE";
            analyze.CommandTimeout = 0;
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }

        var bloat = new List<TableBloat>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT relname, n_live_tup, n_dead_tup FROM pg_stat_user_tables
                WHERE n_dead_tup > 0 ORDER BY n_dead_tup DESC, relname LIMIT 10
                """;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                bloat.Add(new TableBloat(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
            }
        }
        foreach (var table in bloat)
        {
            if (table.DeadPercent > BloatPercent && table.DeadRows >= BloatRows)
            {
                logger.LogWarning("Maintenance: table {Table} has {Dead} dead rows against {Live} live ({Percent:F0} %): autovacuum is not keeping up",
                    table.Table, table.DeadRows, table.LiveRows, table.DeadPercent);
            }
            else
            {
                logger.LogInformation("Maintenance: table {Table}: {Dead} dead rows, {Live} live", table.Table, table.DeadRows, table.LiveRows);
            }
        }

        var longTransactions = new List<LongTransaction>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT pid, usename, application_name, state, extract(epoch FROM now() - xact_start)::float8, left(query, 200)
                FROM pg_stat_activity
                WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() AND datname = current_database()
                  AND now() - xact_start > make_interval(secs => @seconds)
                ORDER BY xact_start
                """;
            var seconds = command.CreateParameter();
            seconds.ParameterName = "seconds";
            seconds.Value = (double)longTransactionSeconds;
            command.Parameters.Add(seconds);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                longTransactions.Add(new LongTransaction(reader.GetInt32(0), Text(reader, 1), Text(reader, 2), Text(reader, 3),
                    TimeSpan.FromSeconds(reader.GetDouble(4)), Text(reader, 5)));
            }
        }
        foreach (var transaction in longTransactions)
        {
            logger.LogWarning("Maintenance: transaction of pid {Pid} ({User}, {Application}, {State}) has been open for {Minutes:F1} min: {Query}",
                transaction.Pid, transaction.User, transaction.Application, transaction.State, transaction.Age.TotalMinutes, transaction.Query);
        }

        return report with
        {
            Steps = ["ANALYZE", "table bloat report (pg_stat_user_tables)", "long-running transactions (pg_stat_activity)"],
            Analyzed = true,
            Bloat = bloat,
            LongTransactions = longTransactions,
        };
    }

    private static string? Text(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
}
