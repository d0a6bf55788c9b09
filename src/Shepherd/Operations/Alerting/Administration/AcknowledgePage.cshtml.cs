using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shepherd.Data.Alerting;

namespace Shepherd.Operations.Alerting.Administration;

/// <summary>
/// The acknowledgement link in a notification: no sign-in, the data-protected token is the authorization. Opening it only
/// shows the alert (mail scanners follow links); the button on it (a POST with antiforgery) acknowledges.
/// </summary>
[AllowAnonymous]
public sealed class AcknowledgePageModel(AlertAcknowledgement acknowledgement, AlertAdministration alerts) : PageModel
{
    public const string By = "link in a notification";
    public const string InvalidLink = "This acknowledgement link is damaged or has expired (links are valid for 7 days). Open the alerts page on Shepherd instead.";

    public IncidentView? Incident { get; private set; }

    public string? Message { get; private set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken) =>
        await LoadAsync(token, cancellationToken) ? Page() : NotFoundPage();

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(token, cancellationToken))
        {
            return NotFoundPage();
        }
        var outcome = await acknowledgement.AcknowledgeAsync(Incident!.Id, By, cancellationToken);
        switch (outcome)
        {
            case AcknowledgeOutcome.Acknowledged:
                Message = "Thank you: the alert is acknowledged. It will not be repeated or escalated.";
                break;
            case AcknowledgeOutcome.AlreadyAcknowledged:
                Message = $"It was already acknowledged by {Incident.AcknowledgedBy}.";
                break;
            default:
                Message = "It is not firing any more: there is nothing to acknowledge.";
                break;
        }
        Incident = await alerts.IncidentAsync(Incident.Id, cancellationToken);
        return Page();
    }

    private async Task<bool> LoadAsync(string token, CancellationToken cancellationToken)
    {
        Incident = acknowledgement.IncidentOf(token ?? "") is { } id ? await alerts.IncidentAsync(id, cancellationToken) : null;
        return Incident is not null;
    }

    private PageResult NotFoundPage()
    {
        Error = InvalidLink;
        Incident = null;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    public string State => Incident switch
    {
        { Status: AlertStatus.Resolved } => "resolved",
        { Status: AlertStatus.Pending } => "pending",
        { AcknowledgedBy: { } by } => $"firing, acknowledged by {by}",
        { SuppressedBy: { } muted } => $"firing, muted by {muted}",
        _ => "firing, not acknowledged",
    };
}
