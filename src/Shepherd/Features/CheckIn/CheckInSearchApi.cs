using Microsoft.AspNetCore.Http.HttpResults;
using Shepherd.Data;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.CheckIn;

/// <summary>
/// The check-in kiosk's family search: GET /api/v1/checkin/families?q= by the last digits of a family member's phone
/// or by part of the family's name (<see cref="KioskFamilySearch"/>: what it finds and what it leaves out).
/// </summary>
public static class CheckInSearchApi
{
    public static void MapCheckInSearchApi(this IEndpointRouteBuilder api) =>
        api.MapGroup("/checkin").WithTags("Check-in").MapGet("/families", SearchAsync).RequirePermission(Permission.CheckInSearch);

    private static async Task<Results<Ok<IReadOnlyList<KioskFamilySearch.KioskFamily>>, ValidationProblem>> SearchAsync(
        string? q, ShepherdDbContext db, TimeProvider clock, CancellationToken ct) =>
        await KioskFamilySearch.FindAsync(q, db, clock, ct) is { } found
            ? TypedResults.Ok(found)
            : ApiResults.Invalid("q", KioskFamilySearch.Rule);
}
