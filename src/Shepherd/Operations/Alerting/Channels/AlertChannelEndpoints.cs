using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Shepherd.Operations.Alerting.Delivery;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Operations.Alerting.Channels;

/// <summary>Whether the test notification went out, and why not.</summary>
public sealed record ChannelTestResponse(bool Sent, string? Error);

/// <summary>
/// `/api/operations/alerts/channels`: where alert notifications go — list, create, change, delete and test a channel.
/// Instance-wide, so only platform administrators. Secrets and webhook URLs (whose path is a credential) are never read back.
/// </summary>
public static class AlertChannelEndpoints
{
    public const string Route = "/api/operations/alerts/channels";

    public static void MapAlertChannelEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Route).WithTags("Operations: alert channels").RequireAuthorization(ApiScopes.PlatformReadPolicy);
        group.MapGet("/", async (AlertChannelEditor editor, CancellationToken ct) => TypedResults.Ok(await editor.ListAsync(ct)));
        group.MapPost("/", CreateAsync).RequireAuthorization(ApiScopes.PlatformWritePolicy);
        // No route constraint on {id}: authorization answers first, so a refused caller gets 403 whatever the id.
        group.MapPut("/{id}", UpdateAsync).RequireAuthorization(ApiScopes.PlatformWritePolicy);
        group.MapDelete("/{id}", DeleteAsync).RequireAuthorization(ApiScopes.PlatformWritePolicy);
        group.MapPost("/{id}/test", TestAsync).RequireAuthorization(ApiScopes.PlatformWritePolicy);
    }

    private static async Task<Results<Created<AlertChannelResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        AlertChannelRequest? request, AlertChannelEditor editor, HttpContext http, CancellationToken ct)
    {
        var outcome = await editor.CreateAsync(request ?? Empty, http.User.DisplayName(), ct);
        return outcome switch
        {
            { Errors: { } errors } => ApiResults.Invalid(errors),
            { Conflict: { } conflict } => ApiResults.Conflict(conflict),
            { Channel: { } channel } => TypedResults.Created($"{Route}/{channel.Id.ToString(CultureInfo.InvariantCulture)}", channel),
            _ => throw new InvalidOperationException("A create outcome has errors, a conflict or the channel."),
        };
    }

    private static async Task<Results<Ok<AlertChannelResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, AlertChannelRequest? request, AlertChannelEditor editor, CancellationToken ct)
    {
        var outcome = await editor.UpdateAsync(id, request ?? Empty, ct);
        return outcome switch
        {
            { NotFound: true } => NotFound(id),
            { Errors: { } errors } => ApiResults.Invalid(errors),
            { Conflict: { } conflict } => ApiResults.Conflict(conflict),
            { Channel: { } channel } => TypedResults.Ok(channel),
            _ => throw new InvalidOperationException("An update outcome is not found, errors, a conflict or the channel."),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, AlertChannelEditor editor, CancellationToken ct) =>
        await editor.DeleteAsync(id, ct) ? TypedResults.NoContent() : NotFound(id);

    /// <summary>Sends a test notification now; 200 whether or not it arrived, with the channel's error when not.</summary>
    private static async Task<Results<Ok<ChannelTestResponse>, ProblemHttpResult>> TestAsync(
        long id, AlertDispatcher dispatcher, HttpContext http, CancellationToken ct) =>
        await dispatcher.SendTestAsync(id, http.User.DisplayName(), ct) is { } result
            ? TypedResults.Ok(new ChannelTestResponse(result.Sent, result.Error))
            : NotFound(id);

    private static readonly AlertChannelRequest Empty = new(null, null, null, null, null, null, null);

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Alert channel not found",
            detail: $"There is no alert channel with id {id.ToString(CultureInfo.InvariantCulture)}. GET {Route} lists them.");
}
