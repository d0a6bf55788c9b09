using Serilog;
using Serilog.AspNetCore;
using Shepherd.Data;

namespace Shepherd.Operations.Logs;

/// <summary>
/// Where `serve` writes its logs: compact JSON (CLEF) lines to rolling files in <c>&lt;data folder&gt;/logs</c> and to stdout,
/// readable text on the console in Development. One line per request carries the request, trace and span ids.
/// </summary>
public static class ShepherdLogging
{
    public const string FilePrefix = "shepherd-";
    public const string FileExtension = ".clef";

    public static void Configure(LoggerConfiguration logger, IConfiguration configuration, IHostEnvironment environment, IServiceProvider services)
    {
        var folder = services.GetRequiredService<DataFolder>();
        var settings = LogSettings.From(configuration);
        var json = new SharedJsonFormatter();
        var development = environment.IsDevelopment();
        logger.ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            // One background writer for both sinks: a request thread only queues its event; formatting and the two writes
            // happen on the writer's thread. The queue holds 10 000 events and then makes callers wait rather than drop lines.
            .WriteTo.Async(sinks =>
            {
                // Rolls daily and by size; the sink deletes files whose day ended more than RetentionDays ago whenever it
                // opens a new file (at startup and on every roll), so retention is by age however many files a busy day made.
                sinks.File(json, Path.Combine(folder.Logs, FilePrefix + FileExtension),
                    rollingInterval: RollingInterval.Day,
                    fileSizeLimitBytes: settings.FileSizeLimitBytes,
                    rollOnFileSizeLimit: true,
                    retainedFileCountLimit: null,
                    retainedFileTimeLimit: TimeSpan.FromDays(settings.RetentionDays));
                // Log collectors read stdout as JSON; a developer reads it as text.
                if (development)
                {
                    sinks.Console();
                }
                else
                {
                    sinks.Console(json);
                }
            }, bufferSize: 10_000, blockWhenFull: true);
    }

    /// <summary>
    /// The request line: method, path without the query string (it may hold secrets), route template, status, duration,
    /// request id and the tenant's organization id. Never headers, bodies or who the user is.
    /// </summary>
    public static void ConfigureRequestLogging(RequestLoggingOptions options)
    {
        options.MessageTemplate = LogFields.RequestTemplate;
        options.IncludeQueryInRequestPath = false;
        options.EnrichDiagnosticContext = (diagnostics, http) =>
        {
            diagnostics.Set(LogFields.RequestId, http.TraceIdentifier);
            if (http.GetEndpoint() is RouteEndpoint endpoint)
            {
                diagnostics.Set(LogFields.Route, endpoint.RoutePattern.RawText);
            }
            if (http.RequestServices.GetService<TenantContext>()?.OrganizationId is { } organizationId)
            {
                diagnostics.Set(LogFields.OrganizationId, organizationId);
            }
        };
    }
}
