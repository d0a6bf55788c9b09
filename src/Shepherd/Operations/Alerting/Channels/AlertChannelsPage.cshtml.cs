using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shepherd.Data.Alerting;
using Shepherd.Operations.Alerting.Delivery;
using Shepherd.Platform.Accounts;

namespace Shepherd.Operations.Alerting.Channels;

/// <summary>
/// The platform administrator's alert channels: the list with each one's last delivery, a form to add one (the same rules
/// as POST /api/operations/alerts/channels), enable/disable, delete, a test button, and the notifications that failed.
/// </summary>
[Authorize(Policy = ApiScopes.PlatformReadPolicy)]
public sealed class AlertChannelsPageModel(AlertChannelEditor editor, AlertDispatcher dispatcher) : PageModel
{
    public const string Path = "/operations/alerts/channels";
    public const int FailuresShown = 20;

    public IReadOnlyList<AlertChannelResponse> Channels { get; private set; } = [];

    public IReadOnlyList<(AlertNotification Notification, string Channel)> Failures { get; private set; } = [];

    public IDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    /// <summary>What the last action did (a test's outcome, a new channel's secret), shown once after the redirect.</summary>
    [TempData]
    public string? Flash { get; set; }

    [TempData]
    public bool FlashIsError { get; set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? Kind { get; set; } = nameof(AlertChannelKind.Email);

    [BindProperty]
    public string? Target { get; set; }

    [BindProperty]
    public string? MinimumSeverity { get; set; } = nameof(AlertSeverity.P3);

    [BindProperty]
    public bool Escalation { get; set; }

    [BindProperty]
    public string? Secret { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!CanWrite)
        {
            return Forbid();
        }
        var outcome = await editor.CreateAsync(new(Name, Kind, Target, MinimumSeverity, Escalation, true, Secret), User.DisplayName(), cancellationToken);
        if (outcome.Channel is { } created)
        {
            Say(created.Secret is { } secret
                ? $"Channel “{created.Name}” added. Its signing secret, shown only now: {secret}"
                : $"Channel “{created.Name}” added.", error: false);
            return RedirectToPage();
        }
        Errors = outcome.Errors ?? new Dictionary<string, string[]> { ["name"] = [outcome.Conflict!] };
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostEnableAsync(long id, bool enabled, CancellationToken cancellationToken)
    {
        if (!CanWrite)
        {
            return Forbid();
        }
        var outcome = await editor.SetEnabledAsync(id, enabled, cancellationToken);
        Say(outcome.Channel is { } c ? $"Channel “{c.Name}” is {(enabled ? "enabled" : "disabled")}." : "That channel no longer exists.", outcome.NotFound);
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken cancellationToken)
    {
        if (!CanWrite)
        {
            return Forbid();
        }
        Say(await editor.DeleteAsync(id, cancellationToken) ? "Channel deleted." : "That channel no longer exists.", error: false);
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostTestAsync(long id, CancellationToken cancellationToken)
    {
        if (!CanWrite)
        {
            return Forbid();
        }
        var result = await dispatcher.SendTestAsync(id, User.DisplayName(), cancellationToken);
        Say(result switch
        {
            null => "That channel no longer exists.",
            { Sent: true } => "Test notification sent.",
            { Error: var error } => $"The test notification failed: {error}",
        }, error: result is not { Sent: true });
        return RedirectToPage();
    }

    private bool CanWrite => User.HasClaim(ApiScopes.ClaimType, ApiScopes.Write);

    private void Say(string message, bool error)
    {
        Flash = message;
        FlashIsError = error;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Channels = await editor.ListAsync(cancellationToken);
        Failures = await editor.RecentFailuresAsync(FailuresShown, cancellationToken);
    }
}
