using Serilog;
using Serilog.AspNetCore;
using Serilog.Formatting.Compact;
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
        logger.ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            // Rolls daily and by size; the sink deletes files whose day ended more than RetentionDays ago whenever it opens a
            // new file (at startup and on every roll), so retention is by age however many files a busy day produced.
            .WriteTo.File(new CompactJsonFormatter(), Path.Combine(folder.Logs, FilePrefix + FileExtension),
                rollingInterval: RollingInterval.Day,
                fileSizeLimitBytes: settings.FileSizeLimitBytes,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: null,
                retainedFileTimeLimit: TimeSpan.FromDays(settings.RetentionDays));
        // Log collectors read stdout as JSON; a developer reads it as text.
        if (environment.IsDevelopment())
        {
            logger.WriteTo.Console();
        }
        else
        {
            logger.WriteTo.Console(new CompactJsonFormatter());
        }
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
