using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Families;
using Shepherd.Data.People;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Families;

/// <summary>A family's members (/families/{id}/members/{personId}) and authorized pickups (/families/{id}/pickups/{pickupId}).</summary>
public static class FamilyMembersApi
{
    public static void MapFamilyMembersApi(this RouteGroupBuilder families)
    {
        families.MapPost("/{id:long}/members", AddMemberAsync).RequirePermission(Permission.FamiliesWrite);
        families.MapPut("/{id:long}/members/{personId:long}", ChangeRoleAsync).RequirePermission(Permission.FamiliesWrite);
        families.MapDelete("/{id:long}/members/{personId:long}", RemoveMemberAsync).RequirePermission(Permission.FamiliesWrite);
        families.MapPost("/{id:long}/pickups", AddPickupAsync).RequirePermission(Permission.FamiliesWrite);
        families.MapDelete("/{id:long}/pickups/{pickupId:long}", RemovePickupAsync).RequirePermission(Permission.FamiliesWrite);
    }

    private static async Task<Results<Created<FamilyMemberResponse>, ValidationProblem, ProblemHttpResult>> AddMemberAsync(
        long id, FamilyMemberRequest request, ShepherdDbContext db, CancellationToken ct)
    {
        var personId = request.PersonId!.Value;
        var result = await FamilyMembership.AddAsync(db, id, personId, request.Role!.Value, ct);
        return result.Outcome switch
        {
            MembershipOutcome.FamilyNotFound => ApiResults.NotFound("Family", id),
            MembershipOutcome.PersonNotFound => ApiResults.Invalid("personId", $"There is no person with id {personId} in your organization."),
            MembershipOutcome.AlreadyAMember => ApiResults.Conflict($"Person {personId} is already a member of this family."),
            _ => TypedResults.Created($"/api/v1/families/{id}/members/{personId}", FamilyDetail.MemberOf(result.Member!)),
        };
    }

    private static async Task<Results<Ok<FamilyMemberResponse>, ProblemHttpResult>> ChangeRoleAsync(
        long id, long personId, FamilyRoleRequest request, ShepherdDbContext db, CancellationToken ct)
    {
        var result = await FamilyMembership.ChangeRoleAsync(db, id, personId, request.Role!.Value, ct);
        return result.Outcome == MembershipOutcome.Done ? TypedResults.Ok(FamilyDetail.MemberOf(result.Member!)) : Missing(result, id, personId);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveMemberAsync(long id, long personId, ShepherdDbContext db, CancellationToken ct)
    {
        var result = await FamilyMembership.RemoveAsync(db, id, personId, ct);
        return result.Outcome == MembershipOutcome.Done ? TypedResults.NoContent() : Missing(result, id, personId);
    }

    private static async Task<Results<Created<AuthorizedPickupResponse>, ValidationProblem, ProblemHttpResult>> AddPickupAsync(
        long id, AuthorizedPickupRequest request, ShepherdDbContext db, CancellationToken ct)
    {
        var result = await FamilyMembership.AddPickupAsync(db, id, request, ct);
        return result.Outcome switch
        {
            MembershipOutcome.FamilyNotFound => ApiResults.NotFound("Family", id),
            MembershipOutcome.PersonNotFound => ApiResults.Invalid("personId", $"There is no person with id {request.PersonId} in your organization."),
            MembershipOutcome.NameMissing => ApiResults.Invalid("name", FamilyMembership.PickupNameMissing),
            _ => TypedResults.Created($"/api/v1/families/{id}/pickups/{result.Pickup!.Id}", AuthorizedPickupResponse.From(result.Pickup)),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemovePickupAsync(long id, long pickupId, ShepherdDbContext db, CancellationToken ct)
    {
        var result = await FamilyMembership.RemovePickupAsync(db, id, pickupId, ct);
        return result.Outcome switch
        {
            MembershipOutcome.Done => TypedResults.NoContent(),
            MembershipOutcome.PickupNotFound => ApiResults.NotFound("Authorized pickup", pickupId),
            _ => ApiResults.NotFound("Family", id),
        };
    }

    /// <summary>A pickup from the request; a person on file gives the name when the request leaves it out.</summary>
    internal static AuthorizedPickup NewPickup(AuthorizedPickupRequest request, Person? person) => FamilyMembership.NewPickup(request, person);

    private static ProblemHttpResult Missing(MembershipResult result, long familyId, long personId) =>
        result.Outcome == MembershipOutcome.NotAMember
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Member not found",
                detail: $"Person {personId} is not a member of family {familyId}.")
            : ApiResults.NotFound("Family", familyId);
}
