using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shepherd.Data;
using Shepherd.Data.Audit;

namespace Shepherd.Operations.Health;

/// <summary>The public readiness probe `GET /api/health`: cheap, no personal data, 200 or 503.</summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static readonly string Version =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static IServiceCollection AddShepherdHealthChecks(this IServiceCollection services)
    {
        // Only "ready" checks answer /api/health; the others are for the detailed monitoring endpoint.
        services.AddHealthChecks()
            .AddCheck<DatabaseReachable>("database", tags: [ReadyTag])
            .AddCheck<BackupsHealthCheck>("backups")
            .AddCheck<DatabaseIntegrityHealthCheck>("database-integrity");
        return services;
    }

    public static void MapShepherdHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/api/health", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag),
            ResponseWriter = WriteSummaryAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).AllowAnonymous();
    }

    private static Task WriteSummaryAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString(), version = Version }));
    }
}

/// <summary>The database answers a trivial query.</summary>
public sealed class DatabaseReachable(ShepherdDbContextFactory contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        return await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The database does not answer.");
    }
}
