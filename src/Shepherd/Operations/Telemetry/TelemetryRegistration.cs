using OpenTelemetry.Metrics;
using Shepherd.Data;
using Shepherd.Operations.Backups;
using Shepherd.Operations.Health;
using Shepherd.Platform.Accounts;

namespace Shepherd.Operations.Telemetry;

/// <summary>
/// Metrics with OpenTelemetry: ASP.NET Core, HttpClient, .NET runtime and process instrumentation plus our meters
/// (Shepherd.Backups, Shepherd.Business, Shepherd.Database, Shepherd.Jobs), scraped by Prometheus at GET /metrics and pushed over
/// OTLP when Shepherd:Telemetry:OtlpEndpoint is set. Shepherd:Telemetry:Enabled=false registers none of it.
/// </summary>
public static class TelemetryRegistration
{
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddShepherdTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        services.AddSingleton(options);
        services.AddSingleton<BusinessMetrics>();
        services.AddSingleton<Alerting.CapacityMetrics>();
        if (!options.Enabled)
        {
            return services;
        }
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddMeter(BackupMetrics.MeterName, BusinessMetrics.MeterName, DatabaseCommandMetrics.MeterName, JobRunLog.MeterName, Platform.Mail.MailMetrics.MeterName,
                    Alerting.CapacityMetrics.MeterName)
                .AddMeter(Alerting.Delivery.AlertDeliveryMetrics.MeterName)
                // Every scrape sees the latest values: the endpoint is behind a token, so scrapes come from a known few.
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            if (options.OtlpEndpoint is { } endpoint)
            {
                metrics.AddOtlpExporter(o => o.Endpoint = endpoint);
            }
            // Observable gauges are created when their meter object is: make sure ours exist once the provider runs.
            metrics.ConfigureServices(s => s.AddHostedService<MeterActivation>());
        });
        return services;
    }

    /// <summary>
    /// GET /metrics in Prometheus text format, for a token with the monitoring scope or a platform administrator's;
    /// not mapped at all (404) when telemetry is off.
    /// </summary>
    public static IEndpointRouteBuilder MapShepherdMetrics(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<TelemetryOptions>().Enabled)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(ApiScopes.MonitoringPolicy);
        }
        return app;
    }

    /// <summary>Creates the singletons that own observable instruments, which nothing else may have asked for yet.</summary>
    private sealed class MeterActivation(BusinessMetrics business, Alerting.CapacityMetrics capacity, BackupMetrics? backups = null) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(business);
            GC.KeepAlive(capacity);
            GC.KeepAlive(backups);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
