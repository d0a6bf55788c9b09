using Shepherd.Data;

namespace Shepherd.Operations.Maintenance;

/// <summary>A PostgreSQL table's dead versus live rows (pg_stat_user_tables), the measure of bloat VACUUM reclaims.</summary>
public sealed record TableBloat(string Table, long LiveRows, long DeadRows)
{
    public double DeadPercent => LiveRows + DeadRows == 0 ? 0 : 100.0 * DeadRows / (LiveRows + DeadRows);
}

/// <summary>A PostgreSQL transaction open for longer than the threshold: it keeps VACUUM from reclaiming rows.</summary>
public sealed record LongTransaction(int Pid, string? User, string? Application, string? State, TimeSpan Age, string? Query);

/// <summary>What one maintenance run did and found.</summary>
public sealed record MaintenanceReport(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    DatabaseProvider Provider,
    IReadOnlyList<string> Steps,
    bool? IntegrityOk,
    string? IntegrityDetail,
    long? PagesBefore,
    long? PagesAfter,
    double? FreePagesPercent,
    bool Vacuumed,
    bool Analyzed,
    IReadOnlyList<TableBloat> Bloat,
    IReadOnlyList<LongTransaction> LongTransactions,
    string? Error);

/// <summary>The latest maintenance report in this process, for the database-integrity health check.</summary>
public sealed class MaintenanceStatus
{
    private MaintenanceReport? _last;

    public MaintenanceReport? Last => Volatile.Read(ref _last);

    public void Record(MaintenanceReport report) => Volatile.Write(ref _last, report);
}
