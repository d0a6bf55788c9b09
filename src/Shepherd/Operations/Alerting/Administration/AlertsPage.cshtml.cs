using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shepherd.Platform.Accounts;

namespace Shepherd.Operations.Alerting.Administration;

/// <summary>
/// The alerts page: what fires, is pending or silenced, recent incidents, the rules with their thresholds, silences and
/// maintenance windows. Whoever reaches /operations may look; only a platform administrator's session may change anything
/// (the same checks as the API, through <see cref="AlertAdministration"/>).
/// </summary>
[Authorize(Policy = ApiScopes.MonitoringPolicy)]
public sealed class AlertsPageModel(
    AlertAdministration alerts, AlertAcknowledgement acknowledgement, IAuthorizationService authorization) : PageModel
{
    public const string Path = "/operations/alerts";
    public const int RecentIncidents = 50;

    public AlertOverview Overview { get; private set; } = null!;

    public IReadOnlyList<IncidentView> Incidents { get; private set; } = [];

    /// <summary>Whether the forms are shown: a platform administrator's session with write.</summary>
    public bool CanChange { get; private set; }

    public string? Message { get; private set; }

    public IDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostAcknowledgeAsync(long id, CancellationToken cancellationToken) => ChangeAsync(async () =>
    {
        var outcome = await acknowledgement.AcknowledgeAsync(id, AlertEndpoints.Caller(User), cancellationToken);
        return outcome switch
        {
            AcknowledgeOutcome.Acknowledged => Done($"Incident {Id(id)} is acknowledged."),
            AcknowledgeOutcome.AlreadyAcknowledged => Error("incident", $"Incident {Id(id)} was already acknowledged."),
            AcknowledgeOutcome.NotFiring => Error("incident", $"Incident {Id(id)} is not firing any more: nothing to acknowledge."),
            _ => Error("incident", $"There is no incident {Id(id)}."),
        };
    }, cancellationToken);

    public Task<IActionResult> OnPostRuleAsync(string name, string? threshold, bool enabled, CancellationToken cancellationToken) => ChangeAsync(async () =>
    {
        double? value = null;
        if (!string.IsNullOrWhiteSpace(threshold))
        {
            if (!double.TryParse(threshold.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
            {
                return Error("threshold", $"'{threshold}' is not a number: write it like 0.05 (a share), 2.5 (seconds) or 20 (a count).");
            }
            value = parsed;
        }
        var outcome = await alerts.SetRuleAsync(name ?? "", new(value, enabled), AlertEndpoints.Caller(User), cancellationToken);
        return outcome switch
        {
            { NotFound: true } => Error("rule", $"There is no rule named '{name}'."),
            { Errors: { } errors } => Error(errors),
            _ => Done($"{name}: threshold {outcome.Value!.Threshold.Text}, {(outcome.Value.Enabled ? "enabled" : "turned off")}."),
        };
    }, cancellationToken);

    public Task<IActionResult> OnPostSilenceAsync(string? label, string? value, int? durationMinutes, string? reason, CancellationToken cancellationToken) =>
        ChangeAsync(async () =>
        {
            var outcome = await alerts.AddSilenceAsync(new(label, value, reason, durationMinutes, null, null), AlertEndpoints.Caller(User), cancellationToken);
            return outcome.Errors is { } errors ? Error(errors) : Done($"Alerts with {label} {value} are silenced until {outcome.Value!.EndsAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC.");
        }, cancellationToken);

    public Task<IActionResult> OnPostEndSilenceAsync(long id, CancellationToken cancellationToken) => ChangeAsync(async () =>
    {
        var outcome = await alerts.EndSilenceAsync(id, AlertEndpoints.Caller(User), cancellationToken);
        return outcome.NotFound ? Error("silence", $"There is no silence {Id(id)}.") : Done($"Silence {Id(id)} has ended.");
    }, cancellationToken);

    public Task<IActionResult> OnPostWindowAsync(
        long? id, string? name, string? days, string? start, int? durationMinutes, string? timeZone, string? severities, bool enabled,
        CancellationToken cancellationToken) => ChangeAsync(async () =>
    {
        var outcome = await alerts.SaveWindowAsync(id, new(name, days, start, durationMinutes, timeZone, severities, enabled), AlertEndpoints.Caller(User), cancellationToken);
        return outcome switch
        {
            { Errors: { } errors } => Error(errors),
            { NotFound: true } => Error("window", $"There is no maintenance window {Id(id ?? 0)}."),
            _ => Done($"Maintenance window “{outcome.Value!.Name}” is saved."),
        };
    }, cancellationToken);

    public Task<IActionResult> OnPostDeleteWindowAsync(long id, CancellationToken cancellationToken) => ChangeAsync(async () =>
        await alerts.DeleteWindowAsync(id, AlertEndpoints.Caller(User), cancellationToken)
            ? Done($"Maintenance window {Id(id)} is deleted.")
            : Error("window", $"There is no maintenance window {Id(id)}."), cancellationToken);

    /// <summary>Refuses readers (403), runs the change, then shows the page again with its message or errors.</summary>
    private async Task<IActionResult> ChangeAsync(Func<Task<bool>> change, CancellationToken cancellationToken)
    {
        if (!(await authorization.AuthorizeAsync(User, ApiScopes.PlatformWritePolicy)).Succeeded)
        {
            return Forbid();
        }
        if (await change())
        {
            ModelState.Clear();
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        CanChange = (await authorization.AuthorizeAsync(User, ApiScopes.PlatformWritePolicy)).Succeeded;
        Overview = await alerts.OverviewAsync(cancellationToken);
        Incidents = await alerts.IncidentsAsync(null, null, RecentIncidents, cancellationToken);
    }

    private bool Done(string message)
    {
        Message = message;
        return true;
    }

    private bool Error(string field, string message) => Error(new Dictionary<string, string[]> { [field] = [message] });

    private bool Error(IDictionary<string, string[]> errors)
    {
        Errors = errors;
        return false;
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
