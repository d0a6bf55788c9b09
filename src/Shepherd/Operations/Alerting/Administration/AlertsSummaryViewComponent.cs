using Microsoft.AspNetCore.Mvc;

namespace Shepherd.Operations.Alerting.Administration;

/// <summary>
/// The "Alerts" section at the top of the Operations page: what fires or is silenced, whether a maintenance window is open,
/// and the way to the alerts page. Read on its own, like the page's other sections: a failure shows as a message.
/// </summary>
public sealed partial class AlertsSummaryViewComponent(AlertAdministration alerts, ILogger<AlertsSummaryViewComponent> logger) : ViewComponent
{
    public const string ViewPath = "/Operations/Alerting/Administration/_AlertsSummary.cshtml";

    public async Task<IViewComponentResult> InvokeAsync()
    {
        try
        {
            return View(ViewPath, (await alerts.OverviewAsync(HttpContext.RequestAborted), (string?)null));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
            return View(ViewPath, ((AlertOverview?)null, (string?)$"Could not read the alerts: {e.GetType().Name}."));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The Operations page could not read its alerts section")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
