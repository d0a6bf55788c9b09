using Shepherd.Data;
using Shepherd.Operations.Health;
using Shepherd.Operations.Telemetry;

namespace Shepherd.Operations.Monitoring;

/// <summary>
/// Builds the monitoring API's answers from the in-process monitors: rates, errors and percentiles per window and route,
/// the slowest routes and queries, the runtime and the 24-hour trends.
/// </summary>
public sealed class MonitoringReports(
    RequestMonitor requests,
    QueryMonitor queries,
    RuntimeSampler runtime,
    ConnectionPoolMonitor pool,
    ErrorGroups errors,
    BusinessMetrics business,
    DatabaseTarget database,
    TimeProvider clock)
{
    public static readonly int[] Windows = [1, 5, 15, 60];
    private const int Top = 10;

    public MetricsReport Metrics()
    {
        var now = clock.GetUtcNow();
        List<WindowStats> windows;
        List<PeriodStats> history;
        lock (requests.Gate)
        {
            windows = [.. Windows.Select(minutes => Window(now, minutes))];
            var oldest = requests.History.IndexOf(now - TimeSpan.FromHours(24)) + 1;
            history = [.. requests.History.History(RequestMonitor.Overall, oldest)
                .Select(p => PeriodStats.From(requests.History.StartOf(p.Index), p.Cell))];
        }
        var counts = business.Current();
        return new MetricsReport(
            now,
            requests.Started,
            Math.Round((now - requests.Started).TotalSeconds),
            HealthEndpoints.Version,
            windows,
            new BusinessCounts(counts.People, counts.Families, counts.CheckInsToday, counts.At),
            [.. errors.All().Take(Top)],
            history);
    }

    public PerformanceReport Performance(int minutes)
    {
        var now = clock.GetUtcNow();
        var seconds = CoveredSeconds(now, minutes);
        List<LatencyStats> routes;
        lock (requests.Gate)
        {
            routes = [.. Sum(requests.Minutes, now, minutes)
                .Where(r => r.Key != RequestMonitor.Overall)
                .Select(r => LatencyStats.From(r.Key, r.Value, seconds))];
        }
        List<LatencyStats> commands;
        LatencyStats overallQueries;
        List<PeriodStats> queryHistory;
        lock (queries.Gate)
        {
            var sums = Sum(queries.Minutes, now, minutes);
            overallQueries = LatencyStats.From("*", sums.GetValueOrDefault(QueryMonitor.Overall) ?? new StatsCell(), seconds);
            commands = [.. sums.Where(q => q.Key != QueryMonitor.Overall).Select(q => LatencyStats.From(QueryMonitor.Display(q.Key), q.Value, seconds))];
            var oldest = queries.History.IndexOf(now - TimeSpan.FromHours(24)) + 1;
            queryHistory = [.. queries.History.History(QueryMonitor.Overall, oldest)
                .Select(p => PeriodStats.From(queries.History.StartOf(p.Index), p.Cell))];
        }
        return new PerformanceReport(
            now,
            minutes,
            seconds,
            [.. routes.OrderByDescending(r => r.P95Ms).ThenByDescending(r => r.Count).Take(Top)],
            [.. routes.OrderByDescending(r => r.TotalMs).Take(Top)],
            [.. commands.OrderByDescending(q => q.P95Ms).ThenByDescending(q => q.Count).Take(Top)],
            [.. commands.OrderByDescending(q => q.TotalMs).Take(Top)],
            new DatabaseStats(database.Provider.ToString().ToLowerInvariant(), overallQueries, pool.Read(), queryHistory),
            runtime.Latest(),
            runtime.Trend());
    }

    private WindowStats Window(DateTimeOffset now, int minutes)
    {
        var seconds = CoveredSeconds(now, minutes);
        var sums = Sum(requests.Minutes, now, minutes);
        var overall = LatencyStats.From("*", sums.GetValueOrDefault(RequestMonitor.Overall) ?? new StatsCell(), seconds);
        return new WindowStats(minutes, seconds, overall.Count, overall.PerSecond, overall.Errors, overall.ErrorRate,
            overall.ClientErrors, overall.MeanMs, overall.P50Ms, overall.P95Ms, overall.P99Ms, overall.MaxMs,
            [.. sums.Where(r => r.Key != RequestMonitor.Overall)
                .Select(r => LatencyStats.From(r.Key, r.Value, seconds))
                .OrderByDescending(r => r.Count).ThenBy(r => r.Name, StringComparer.Ordinal)]);
    }

    /// <summary>The last <paramref name="minutes"/> whole minutes and the one in progress.</summary>
    private static Dictionary<string, StatsCell> Sum(PeriodRing ring, DateTimeOffset now, int minutes)
    {
        var current = ring.IndexOf(now);
        return ring.Sum(current - minutes, current);
    }

    /// <summary>Seconds the window spans: its whole minutes plus the part of this one, but no more than the process has run.</summary>
    private double CoveredSeconds(DateTimeOffset now, int minutes)
    {
        var intoMinute = TimeSpan.FromTicks(now.UtcTicks % TimeSpan.TicksPerMinute);
        var span = TimeSpan.FromMinutes(minutes) + intoMinute;
        var up = now - requests.Started;
        return Math.Round(Math.Max(1, Math.Min(span.TotalSeconds, up.TotalSeconds)), 1);
    }
}

/// <summary>Count, rate, errors and latency of one route or query (or of all, named "*") over a window.</summary>
public sealed record LatencyStats(
    string Name,
    long Count,
    double PerSecond,
    long Errors,
    double ErrorRate,
    long ClientErrors,
    double MeanMs,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    double TotalMs)
{
    public static LatencyStats From(string name, StatsCell cell, double seconds)
    {
        var latency = cell.Latency;
        return new LatencyStats(
            name,
            latency.Count,
            Math.Round(latency.Count / seconds, 3),
            cell.Errors,
            latency.Count == 0 ? 0 : Math.Round((double)cell.Errors / latency.Count, 4),
            cell.ClientErrors,
            Ms(latency.MeanMs),
            Ms(latency.Percentile(0.50)),
            Ms(latency.Percentile(0.95)),
            Ms(latency.Percentile(0.99)),
            Ms(latency.MaxMs),
            Ms(latency.SumMs));
    }

    internal static double Ms(double value) => Math.Round(value, 2);
}

public sealed record WindowStats(
    int Minutes,
    double CoveredSeconds,
    long Requests,
    double RequestsPerSecond,
    long Errors,
    double ErrorRate,
    long ClientErrors,
    double MeanMs,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    IReadOnlyList<LatencyStats> Routes);

/// <summary>One five-minute period of the 24-hour trend.</summary>
public sealed record PeriodStats(DateTimeOffset At, long Count, long Errors, double ErrorRate, double MeanMs, double P50Ms, double P95Ms, double P99Ms)
{
    public static PeriodStats From(DateTimeOffset at, StatsCell cell)
    {
        var stats = LatencyStats.From("*", cell, 300);
        return new PeriodStats(at, stats.Count, stats.Errors, stats.ErrorRate, stats.MeanMs, stats.P50Ms, stats.P95Ms, stats.P99Ms);
    }
}

public sealed record BusinessCounts(long People, long Families, long CheckInsToday, DateTimeOffset CountedAt);

public sealed record MetricsReport(
    DateTimeOffset GeneratedAt,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    string Version,
    IReadOnlyList<WindowStats> Windows,
    BusinessCounts Business,
    IReadOnlyList<ErrorGroup> ErrorGroups,
    IReadOnlyList<PeriodStats> History);

public sealed record DatabaseStats(string Provider, LatencyStats Commands, ConnectionPool? Pool, IReadOnlyList<PeriodStats> History);

public sealed record PerformanceReport(
    DateTimeOffset GeneratedAt,
    int Minutes,
    double CoveredSeconds,
    IReadOnlyList<LatencyStats> SlowestRoutes,
    IReadOnlyList<LatencyStats> RoutesByTotalTime,
    IReadOnlyList<LatencyStats> SlowestQueries,
    IReadOnlyList<LatencyStats> QueriesByTotalTime,
    DatabaseStats Database,
    RuntimeSample Runtime,
    IReadOnlyList<RuntimeTrend> Trend);
