using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shepherd.Operations.Monitoring;
using Shepherd.Platform.Accounts;

namespace Shepherd.Operations.OperationsPage;

/// <summary>
/// The admin Operations page: health, request windows, 24-hour charts, slowest routes and queries, runtime and error
/// groups, from the same services as the monitoring API. Each section is read on its own, so a database that is down
/// shows as an unhealthy check and the in-memory figures still show.
/// </summary>
[Authorize(Policy = ApiScopes.MonitoringPolicy)]
public sealed partial class OperationsModel(
    HealthCheckService health,
    TimeProvider clock,
    ILogger<OperationsModel> logger,
    MonitoringReports? reports = null,
    ErrorGroups? errors = null) : PageModel
{
    public const int RefreshSeconds = 30;

    /// <summary>All checks together may take this long before the page shows without them.</summary>
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(5);

    public DateTimeOffset Now { get; private set; }
    public Section<HealthReport> Health { get; private set; } = Section.Failed<HealthReport>("Not read.");
    public Section<MetricsReport> Metrics { get; private set; } = Section.Failed<MetricsReport>("Not read.");
    public Section<PerformanceReport> Performance { get; private set; } = Section.Failed<PerformanceReport>("Not read.");
    public Section<IReadOnlyList<ErrorGroup>> Errors { get; private set; } = Section.Failed<IReadOnlyList<ErrorGroup>>("Not read.");

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = clock.GetUtcNow();
        Health = await ReadHealthAsync(cancellationToken);
        if (reports is null || errors is null)
        {
            const string off = "In-process monitoring is off (Shepherd:Telemetry:Enabled is false).";
            Metrics = Section.Failed<MetricsReport>(off);
            Performance = Section.Failed<PerformanceReport>(off);
            Errors = Section.Failed<IReadOnlyList<ErrorGroup>>(off);
            return;
        }
        Metrics = Read("metrics", reports.Metrics);
        Performance = Read("performance", () => reports.Performance(60));
        Errors = Read("error groups", errors.All);
    }

    private async Task<Section<HealthReport>> ReadHealthAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HealthTimeout);
        try
        {
            return Section.Of(await health.CheckHealthAsync(timeout.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Section.Failed<HealthReport>($"The health checks took longer than {HealthTimeout.TotalSeconds:0} seconds.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSectionFailed(logger, "health", e);
            return Section.Failed<HealthReport>($"The health checks failed: {e.GetType().Name}.");
        }
    }

    private Section<T> Read<T>(string name, Func<T> read)
        where T : class
    {
        try
        {
            return Section.Of(read());
        }
        catch (Exception e)
        {
            LogSectionFailed(logger, name, e);
            return Section.Failed<T>($"Could not read the {name}: {e.GetType().Name}.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The Operations page could not read its {Section} section")]
    private static partial void LogSectionFailed(ILogger logger, string section, Exception exception);
}
