using Serilog;
using Shepherd.Data;
using Shepherd.Operations.Telemetry;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Operations.Monitoring;

/// <summary>
/// The monitoring API for people and scripts without Prometheus, computed in process (an admin session or a monitoring
/// token): GET /api/monitoring/metrics (rates, errors and p50/p95/p99 per route for the last 1/5/15/60 minutes, business
/// counts, error groups, a 24-hour trend), GET /api/monitoring/performance?minutes= (slowest routes and queries,
/// connection pool, GC, thread pool, CPU, memory) and GET /api/monitoring/errors (every error group).
/// </summary>
public static class MonitoringEndpoints
{
    /// <summary>Registers the in-process monitors, unless Shepherd:Telemetry:Enabled is false (then the API answers 404).</summary>
    public static IServiceCollection AddShepherdMonitoring(this IServiceCollection services, IConfiguration configuration)
    {
        if (!configuration.GetValue($"{TelemetryOptions.Section}:{nameof(TelemetryOptions.Enabled)}", true))
        {
            return services;
        }
        services.AddSingleton<RequestMonitor>();
        services.AddSingleton<QueryMonitor>();
        services.AddSingleton<IDatabaseCommandObserver>(sp => sp.GetRequiredService<QueryMonitor>());
        services.AddSingleton<RuntimeSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<RuntimeSampler>());
        services.AddSingleton<ConnectionPoolMonitor>();
        services.AddSingleton<ErrorGroups>();
        services.AddSingleton<MonitoringReports>();
        return services;
    }

    /// <summary>The sink that feeds <see cref="ErrorGroups"/>, for the logger configuration of hosts that monitor.</summary>
    public static LoggerConfiguration WriteToErrorGroups(this LoggerConfiguration logger, IServiceProvider services) =>
        services.GetService<ErrorGroups>() is { } groups ? logger.WriteTo.Sink(groups) : logger;

    public static void MapShepherdMonitoring(this IEndpointRouteBuilder app)
    {
        // Listening starts now, before the first request, not when the first report is asked for.
        if (app.ServiceProvider.GetService<RequestMonitor>() is null)
        {
            return;
        }

        var group = app.MapGroup("/api/monitoring").WithTags("Monitoring").RequireAuthorization(ApiScopes.MonitoringPolicy);
        group.MapGet("/metrics", (MonitoringReports reports) => TypedResults.Ok(reports.Metrics()))
            .WithSummary("Request rate, error rate and latency percentiles per route for the last 1, 5, 15 and 60 minutes, business counts, error groups, 24-hour trend.");
        group.MapGet("/performance", Performance)
            .WithSummary("Slowest routes and database queries with counts and percentiles, connection pool, GC, thread pool, CPU and memory.");
        group.MapGet("/errors", (ErrorGroups errors) => TypedResults.Ok(errors.All()))
            .WithSummary("Every error group: exception type and top frames of Shepherd's code, count, first and last seen, a sample request id.");
    }

    private static IResult Performance(MonitoringReports reports, int? minutes) =>
        minutes is null or 1 or 5 or 15 or 60
            ? TypedResults.Ok(reports.Performance(minutes ?? 60))
            : ApiResults.Invalid("minutes", "Choose a window of 1, 5, 15 or 60 minutes.");
}
