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
        if (!await db.Families.AnyAsync(f => f.Id == id, ct))
        {
            return ApiResults.NotFound("Family", id);
        }
        var personId = request.PersonId!.Value;
        var person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null)
        {
            return ApiResults.Invalid("personId", $"There is no person with id {personId} in your organization.");
        }
        if (await db.FamilyMembers.AnyAsync(m => m.FamilyId == id && m.PersonId == personId, ct))
        {
            return ApiResults.Conflict($"Person {personId} is already a member of this family.");
        }
        var member = new FamilyMember { FamilyId = id, PersonId = personId, Role = request.Role!.Value };
        db.FamilyMembers.Add(member);
        await db.SaveChangesAsync(ct);
        member.Person = person;
        return TypedResults.Created($"/api/v1/families/{id}/members/{personId}", FamilyDetail.MemberOf(member));
    }

    private static async Task<Results<Ok<FamilyMemberResponse>, ProblemHttpResult>> ChangeRoleAsync(
        long id, long personId, FamilyRoleRequest request, ShepherdDbContext db, CancellationToken ct)
    {
        var member = await db.FamilyMembers.Include(m => m.Person).FirstOrDefaultAsync(m => m.FamilyId == id && m.PersonId == personId, ct);
        if (member is null)
        {
            return await MissingAsync(db, id, personId, ct);
        }
        member.Role = request.Role!.Value;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(FamilyDetail.MemberOf(member));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveMemberAsync(long id, long personId, ShepherdDbContext db, CancellationToken ct)
    {
        var member = await db.FamilyMembers.FirstOrDefaultAsync(m => m.FamilyId == id && m.PersonId == personId, ct);
        if (member is null)
        {
            return await MissingAsync(db, id, personId, ct);
        }
        db.FamilyMembers.Remove(member);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<AuthorizedPickupResponse>, ValidationProblem, ProblemHttpResult>> AddPickupAsync(
        long id, AuthorizedPickupRequest request, ShepherdDbContext db, CancellationToken ct)
    {
        if (!await db.Families.AnyAsync(f => f.Id == id, ct))
        {
            return ApiResults.NotFound("Family", id);
        }
        Person? person = null;
        if (request.PersonId is { } personId)
        {
            person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct);
            if (person is null)
            {
                return ApiResults.Invalid("personId", $"There is no person with id {personId} in your organization.");
            }
        }
        else if (string.IsNullOrWhiteSpace(request.Name))
        {
            return ApiResults.Invalid("name", "Give the name of the person, or the personId of someone on file.");
        }
        var pickup = NewPickup(request, person);
        pickup.FamilyId = id;
        db.AuthorizedPickups.Add(pickup);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/families/{id}/pickups/{pickup.Id}", AuthorizedPickupResponse.From(pickup));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemovePickupAsync(long id, long pickupId, ShepherdDbContext db, CancellationToken ct)
    {
        var pickup = await db.AuthorizedPickups.FirstOrDefaultAsync(p => p.FamilyId == id && p.Id == pickupId, ct);
        if (pickup is null)
        {
            return await db.Families.AnyAsync(f => f.Id == id, ct) ? ApiResults.NotFound("Authorized pickup", pickupId) : ApiResults.NotFound("Family", id);
        }
        db.AuthorizedPickups.Remove(pickup);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>A pickup from the request; a person on file gives the name when the request leaves it out.</summary>
    internal static AuthorizedPickup NewPickup(AuthorizedPickupRequest request, Person? person) => new()
    {
        PersonId = person?.Id,
        Name = string.IsNullOrWhiteSpace(request.Name)
            ? $"{(string.IsNullOrWhiteSpace(person!.PreferredName) ? person.FirstName : person.PreferredName)} {person.LastName}"
            : request.Name.Trim(),
        Relationship = string.IsNullOrWhiteSpace(request.Relationship) ? null : request.Relationship.Trim(),
        Phone = string.IsNullOrWhiteSpace(request.Phone) ? null : request.Phone.Trim(),
    };

    private static async Task<ProblemHttpResult> MissingAsync(ShepherdDbContext db, long familyId, long personId, CancellationToken ct) =>
        await db.Families.AnyAsync(f => f.Id == familyId, ct)
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Member not found",
                detail: $"Person {personId} is not a member of family {familyId}.")
            : ApiResults.NotFound("Family", familyId);
}
