using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using Shepherd.Data;
using Shepherd.Data.Audit;

namespace Shepherd.Operations.Maintenance;

/// <summary>The nightly database maintenance (<see cref="SqliteMaintenance"/> or <see cref="PostgresMaintenance"/>), one log line per step.</summary>
[DisallowConcurrentExecution]
public sealed class DatabaseMaintenanceJob(
    ShepherdDbContextFactory contexts,
    DatabaseTarget target,
    MaintenanceStatus status,
    IOptions<MaintenanceOptions> options,
    TimeProvider clock,
    ILogger<DatabaseMaintenanceJob> logger) : IJob
{
    public static readonly JobKey Key = new("database-maintenance", "shepherd");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        context.Result = await RunAsync(cancellationToken);

    public async Task<MaintenanceReport> RunAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var report = new MaintenanceReport(clock.GetUtcNow(), TimeSpan.Zero, target.Provider, [], null, null, null, null, null, false, false, [], [], null);
        logger.LogInformation("Maintenance: starting on {Database}", target.Description);
        try
        {
            // Through EF's connection, so SQLite gets the same pragmas (WAL, busy timeout) as every other connection.
            await using var db = contexts.Create(null, AuditActor.System);
            await db.Database.OpenConnectionAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();
            report = target.Provider == DatabaseProvider.Sqlite
                ? await SqliteMaintenance.RunAsync(connection, report, options.Value.VacuumFreePagesPercent, logger, cancellationToken)
                : await PostgresMaintenance.RunAsync(connection, report, options.Value.LongTransactionSeconds, logger, cancellationToken);
            report = report with { Duration = started.Elapsed };
            if (report.IntegrityOk == false)
            {
                logger.LogError("Maintenance: integrity check FAILED: {Detail}. Restore the newest verified backup (`shepherd backup list`, `shepherd backup restore`)", report.IntegrityDetail);
            }
            logger.LogInformation("Maintenance: done in {Seconds:F1}s: {Steps}{Pages}", report.Duration.TotalSeconds, string.Join(", ", report.Steps),
                report.PagesBefore is { } before ? $"; pages {before} → {report.PagesAfter}" : "");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or IOException)
        {
            logger.LogError(e, "Maintenance: FAILED: {Message}", e.Message);
            report = report with { Duration = started.Elapsed, Error = e.Message };
        }
        status.Record(report);
        return report;
    }
}
