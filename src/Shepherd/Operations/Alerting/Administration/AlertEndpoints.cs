using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Shepherd.Data.Alerting;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Operations.Alerting.Administration;

/// <summary>
/// `/api/operations/alerts`: the rules with their state, incident history and acknowledgement, silences and maintenance
/// windows. A monitoring token or a platform administrator reads; only a platform administrator's write token (or
/// session) changes anything. Alerting is instance-wide, like backups.
/// </summary>
public static class AlertEndpoints
{
    public const string Route = "/api/operations/alerts";

    public static void MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Route).WithTags("Operations: alerts").RequireAuthorization(ApiScopes.MonitoringPolicy);
        group.MapGet("/", async (AlertAdministration alerts, CancellationToken ct) => TypedResults.Ok((await alerts.OverviewAsync(ct)).Rules));
        group.MapPut("/rules/{name}", SetRuleAsync).RequireAuthorization(ApiScopes.PlatformWritePolicy);
        group.MapGet("/incidents", IncidentsAsync);
        group.MapPost("/incidents/{id}/acknowledge", AcknowledgeAsync).RequireAuthorization(ApiScopes.PlatformWritePolicy);

        group.MapGet("/silences", async (bool? active, AlertAdministration alerts, CancellationToken ct) => TypedResults.Ok(await alerts.SilencesAsync(active, ct)));
        group.MapPost("/silences", AddSilenceAsync).RequireAuthorization(ApiScopes.PlatformWritePolicy);
        group.MapDelete("/silences/{id}", EndSilenceAsync).RequireAuthorization(ApiScopes.PlatformWritePolicy);

        group.MapGet("/maintenance-windows", async (AlertAdministration alerts, CancellationToken ct) => TypedResults.Ok(await alerts.WindowsAsync(ct)));
        group.MapPost("/maintenance-windows", CreateWindowAsync).RequireAuthorization(ApiScopes.PlatformWritePolicy);
        group.MapPut("/maintenance-windows/{id}", UpdateWindowAsync).RequireAuthorization(ApiScopes.PlatformWritePolicy);
        group.MapDelete("/maintenance-windows/{id}", DeleteWindowAsync).RequireAuthorization(ApiScopes.PlatformWritePolicy);
    }

    /// <summary>Who made a change, for the rows and the log: the account's name, and the token's when it came with one.</summary>
    public static string Caller(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var via = user.FindFirstValue(ApiScopes.TokenClaim) is { } token ? $" (token '{token}')" : "";
        return user.DisplayName() + via;
    }

    private static async Task<Results<Ok<RuleView>, ValidationProblem, ProblemHttpResult>> SetRuleAsync(
        string name, RuleSettingRequest? request, AlertAdministration alerts, ClaimsPrincipal user, CancellationToken ct)
    {
        var outcome = await alerts.SetRuleAsync(name, request ?? new(null, null), Caller(user), ct);
        return outcome switch
        {
            { NotFound: true } => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Alert rule not found",
                detail: $"There is no alert rule named '{name}'. GET {Route} lists them."),
            { Errors: { } errors } => ApiResults.Invalid(errors),
            _ => TypedResults.Ok(outcome.Value!),
        };
    }

    private static async Task<Results<Ok<IReadOnlyList<IncidentView>>, ValidationProblem>> IncidentsAsync(
        string? status, string? rule, int? limit, AlertAdministration alerts, CancellationToken ct)
    {
        AlertStatus? parsed = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<AlertStatus>(status, ignoreCase: true, out var s) || int.TryParse(status, out _))
            {
                return ApiResults.Invalid("status", "Use pending, firing or resolved.");
            }
            parsed = s;
        }
        if (limit is < 1 or > AlertAdministration.MaxIncidentLimit)
        {
            return ApiResults.Invalid("limit", $"Ask for 1 to {AlertAdministration.MaxIncidentLimit} incidents.");
        }
        return TypedResults.Ok(await alerts.IncidentsAsync(parsed, rule, limit ?? AlertAdministration.DefaultIncidentLimit, ct));
    }

    private static async Task<Results<Ok<IncidentView>, ProblemHttpResult>> AcknowledgeAsync(
        long id, AlertAcknowledgement acknowledgement, AlertAdministration alerts, ClaimsPrincipal user, CancellationToken ct)
    {
        var outcome = await acknowledgement.AcknowledgeAsync(id, Caller(user), ct);
        return outcome switch
        {
            AcknowledgeOutcome.NotFound => IncidentNotFound(id),
            AcknowledgeOutcome.AlreadyAcknowledged => ApiResults.Conflict(
                $"Incident {Id(id)} was already acknowledged by {(await alerts.IncidentAsync(id, ct))?.AcknowledgedBy}."),
            AcknowledgeOutcome.NotFiring => ApiResults.Conflict($"Incident {Id(id)} is not firing (pending or resolved): there is nothing to acknowledge."),
            _ => TypedResults.Ok((await alerts.IncidentAsync(id, ct))!),
        };
    }

    private static async Task<Results<Created<SilenceView>, ValidationProblem>> AddSilenceAsync(
        SilenceRequest? request, AlertAdministration alerts, ClaimsPrincipal user, CancellationToken ct)
    {
        var outcome = await alerts.AddSilenceAsync(request ?? new(null, null, null, null, null, null), Caller(user), ct);
        return outcome.Errors is { } errors
            ? ApiResults.Invalid(errors)
            : TypedResults.Created($"{Route}/silences/{Id(outcome.Value!.Id)}", outcome.Value);
    }

    private static async Task<Results<Ok<SilenceView>, ProblemHttpResult>> EndSilenceAsync(
        long id, AlertAdministration alerts, ClaimsPrincipal user, CancellationToken ct)
    {
        var outcome = await alerts.EndSilenceAsync(id, Caller(user), ct);
        return outcome.NotFound ? NotFound("Silence", id) : TypedResults.Ok(outcome.Value!);
    }

    private static async Task<Results<Created<MaintenanceWindowView>, ValidationProblem>> CreateWindowAsync(
        MaintenanceWindowRequest? request, AlertAdministration alerts, ClaimsPrincipal user, CancellationToken ct)
    {
        var outcome = await alerts.SaveWindowAsync(null, request ?? Empty, Caller(user), ct);
        return outcome.Errors is { } errors
            ? ApiResults.Invalid(errors)
            : TypedResults.Created($"{Route}/maintenance-windows/{Id(outcome.Value!.Id)}", outcome.Value);
    }

    private static async Task<Results<Ok<MaintenanceWindowView>, ValidationProblem, ProblemHttpResult>> UpdateWindowAsync(
        long id, MaintenanceWindowRequest? request, AlertAdministration alerts, ClaimsPrincipal user, CancellationToken ct)
    {
        var outcome = await alerts.SaveWindowAsync(id, request ?? Empty, Caller(user), ct);
        return outcome switch
        {
            { Errors: { } errors } => ApiResults.Invalid(errors),
            { NotFound: true } => NotFound("Maintenance window", id),
            _ => TypedResults.Ok(outcome.Value!),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteWindowAsync(
        long id, AlertAdministration alerts, ClaimsPrincipal user, CancellationToken ct) =>
        await alerts.DeleteWindowAsync(id, Caller(user), ct) ? TypedResults.NoContent() : NotFound("Maintenance window", id);

    private static readonly MaintenanceWindowRequest Empty = new(null, null, null, null, null, null, null);

    private static ProblemHttpResult IncidentNotFound(long id) => NotFound("Incident", id);

    private static ProblemHttpResult NotFound(string what, long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found",
            detail: $"There is no {what.ToLowerInvariant()} with id {Id(id)}.");

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
