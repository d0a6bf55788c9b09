using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Mail;

namespace Shepherd.Operations.Health;

/// <summary>
/// The health endpoints. Public and cheap: `GET /api/health` and `GET /healthz/ready` (the "ready" checks: database and
/// migrations; `{"status","version"}`, 200 or 503) and `GET /healthz/live` (the process answers; touches nothing).
/// Protected: `GET /api/monitoring/health`, every check with its status, duration, description and thresholds.
/// </summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static readonly string Version =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static IServiceCollection AddShepherdHealthChecks(this IServiceCollection services)
    {
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.Section);
        services.AddSingleton<JobRunLog>();
        services.AddHostedService<JobRunLogRegistration>();
        // Only "ready" checks answer /api/health and /healthz/ready; the others are for the monitoring endpoint.
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag])
            .AddCheck<MigrationsHealthCheck>("migrations", tags: [ReadyTag])
            .AddCheck<DiskHealthCheck>("disk")
            .AddCheck<MemoryHealthCheck>("memory")
            .AddCheck<ThreadPoolHealthCheck>("thread-pool")
            .AddCheck<JobsHealthCheck>("jobs")
            .AddCheck<BackupsHealthCheck>("backups")
            .AddCheck<DatabaseIntegrityHealthCheck>("database-integrity")
            .AddCheck<MailHealthCheck>("mail");
        return services;
    }

    public static void MapShepherdHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/api/health", Options(c => c.Tags.Contains(ReadyTag), WriteSummaryAsync)).AllowAnonymous();
        app.MapHealthChecks("/healthz/ready", Options(c => c.Tags.Contains(ReadyTag), WriteSummaryAsync)).AllowAnonymous();
        app.MapHealthChecks("/healthz/live", Options(_ => false, WriteLiveAsync)).AllowAnonymous();
        app.MapHealthChecks("/api/monitoring/health", Options(_ => true, WriteDetailsAsync)).RequireAuthorization(ApiScopes.MonitoringPolicy);
    }

    private static HealthCheckOptions Options(Func<HealthCheckRegistration, bool> predicate, Func<HttpContext, HealthReport, Task> writer) => new()
    {
        Predicate = predicate,
        ResponseWriter = writer,
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };

    private static Task WriteSummaryAsync(HttpContext context, HealthReport report) =>
        WriteAsync(context, new { status = report.Status.ToString(), version = Version });

    private static Task WriteLiveAsync(HttpContext context, HealthReport report) =>
        WriteAsync(context, new { status = nameof(HealthStatus.Healthy) });

    private static Task WriteDetailsAsync(HttpContext context, HealthReport report) =>
        WriteAsync(context, new
        {
            status = report.Status.ToString(),
            version = Version,
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 2),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 2),
                description = e.Value.Description ?? e.Value.Exception?.Message,
                data = e.Value.Data,
            }),
        });

    private static Task WriteAsync(HttpContext context, object body)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}
