using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Families;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Families;

/// <summary>Families (households): /api/v1/families. Members and pickups are changed through their own endpoints (FamilyMembersApi).</summary>
public static class FamiliesApi
{
    public static void MapFamiliesApi(this IEndpointRouteBuilder api)
    {
        var families = api.MapGroup("/families").WithTags("Families");
        families.MapGet("/", ListAsync).RequirePermission(Permission.FamiliesRead);
        families.MapGet("/{id:long}", GetAsync).RequirePermission(Permission.FamiliesRead);
        families.MapPost("/", CreateAsync).RequirePermission(Permission.FamiliesWrite);
        families.MapPut("/{id:long}", UpdateAsync).RequirePermission(Permission.FamiliesWrite);
        families.MapArchiving<Family>("Family", Permission.FamiliesWrite);
        families.MapFamilyMembersApi();
    }

    private static async Task<Results<Ok<Page<FamilySummary>>, ValidationProblem>> ListAsync(
        [AsParameters] PageRequest page, [AsParameters] FamilyListQuery query, ShepherdDbContext db, CancellationToken ct)
    {
        if (!query.SortIsKnown)
        {
            return ApiResults.Invalid("sort", FamilyListQuery.SortError);
        }
        var families = query.Filter(db.Families.AsNoTracking());
        var total = await families.CountAsync(ct);
        var items = await query.Order(families).Skip(page.Skip).Take(page.Size)
            .Select(f => new FamilySummary(f.Id, f.Name, f.HomePhone, f.CampusId, f.Active, f.ArchivedAt, f.Members.Count))
            .ToListAsync(ct);
        return TypedResults.Ok(new Page<FamilySummary>(items, page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<FamilyDetail>, ProblemHttpResult>> GetAsync(long id, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var family = await LoadAsync(db.Families.AsNoTracking(), id, ct);
        if (family is null)
        {
            return ApiResults.NotFound("Family", id);
        }
        ETags.Set(http, family.Version);
        return TypedResults.Ok(FamilyDetail.From(family));
    }

    private static async Task<Results<Created<FamilyDetail>, ValidationProblem>> CreateAsync(
        FamilyRequest request, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var members = request.Members ?? [];
        var pickups = request.AuthorizedPickups ?? [];
        var errors = await FamilyWriter.CheckAsync(request, db, ct);

        // One query for every person the body names, members and pickups alike.
        var personIds = members.Select(m => m.PersonId!.Value).Concat(pickups.Where(p => p.PersonId is not null).Select(p => p.PersonId!.Value)).Distinct().ToList();
        var people = await db.People.AsNoTracking().Where(p => personIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var seen = new HashSet<long>();
        for (var i = 0; i < members.Count; i++)
        {
            var personId = members[i].PersonId!.Value;
            if (!people.ContainsKey(personId))
            {
                errors[$"members[{i}].personId"] = [$"There is no person with id {personId} in your organization."];
            }
            else if (!seen.Add(personId))
            {
                errors[$"members[{i}].personId"] = [$"Person {personId} is listed twice."];
            }
        }
        for (var i = 0; i < pickups.Count; i++)
        {
            if (pickups[i].PersonId is { } personId && !people.ContainsKey(personId))
            {
                errors[$"authorizedPickups[{i}].personId"] = [$"There is no person with id {personId} in your organization."];
            }
            else if (pickups[i].PersonId is null && string.IsNullOrWhiteSpace(pickups[i].Name))
            {
                errors[$"authorizedPickups[{i}].name"] = ["Give the name of the person, or the personId of someone on file."];
            }
        }
        if (errors.Count > 0)
        {
            return ApiResults.Invalid(errors);
        }

        var family = new Family { Name = "" };
        FamilyWriter.Apply(request, family);
        family.Members.AddRange(members.Select(m => new FamilyMember { PersonId = m.PersonId!.Value, Role = m.Role!.Value }));
        family.AuthorizedPickups.AddRange(pickups.Select(p => FamilyMembersApi.NewPickup(p, p.PersonId is { } pid ? people[pid] : null)));
        db.Families.Add(family);
        await db.SaveChangesAsync(ct);
        ETags.Set(http, family.Version);
        var created = await LoadAsync(db.Families.AsNoTracking(), family.Id, ct);
        return TypedResults.Created($"/api/v1/families/{family.Id}", FamilyDetail.From(created!));
    }

    private static async Task<Results<Ok<FamilyDetail>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, FamilyRequest request, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var family = await db.Families.FirstOrDefaultAsync(f => f.Id == id, ct);
        if (family is null)
        {
            return ApiResults.NotFound("Family", id);
        }
        if (!ETags.Matches(http.Request, family.Version))
        {
            return ApiResults.PreconditionFailed();
        }
        var errors = await FamilyWriter.CheckAsync(request, db, ct);
        if (errors.Count > 0)
        {
            return ApiResults.Invalid(errors);
        }
        FamilyWriter.Apply(request, family);
        await db.SaveChangesAsync(ct);
        ETags.Set(http, family.Version);
        var updated = await LoadAsync(db.Families.AsNoTracking(), id, ct);
        return TypedResults.Ok(FamilyDetail.From(updated!));
    }

    internal static Task<Family?> LoadAsync(IQueryable<Family> families, long id, CancellationToken ct) =>
        families.Include(f => f.Members).ThenInclude(m => m.Person).Include(f => f.AuthorizedPickups)
            .AsSplitQuery()
            .FirstOrDefaultAsync(f => f.Id == id, ct);
}
