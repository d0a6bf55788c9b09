using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.CustomFields;
using Shepherd.Data.People;
using Shepherd.Data.Tenancy;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.People;

/// <summary>People: members and visitors. /api/v1/people. People are archived, never deleted (history points at them).</summary>
public static class PeopleApi
{
    public static void MapPeopleApi(this IEndpointRouteBuilder api)
    {
        var people = api.MapGroup("/people").WithTags("People");
        people.MapGet("/", ListAsync).RequirePermission(Permission.PeopleRead);
        people.MapGet("/{id:long}", GetAsync).RequirePermission(Permission.PeopleRead);
        people.MapPost("/", CreateAsync).RequirePermission(Permission.PeopleCreate);
        people.MapPut("/{id:long}", UpdateAsync).RequirePermission(Permission.PeopleWrite);
        people.MapArchiving<Person>("Person", Permission.PeopleWrite, (scope, rows) => scope.People(rows));
        people.MapPersonPhotoApi();
        people.MapPersonMergeApi();
    }

    private static async Task<Results<Ok<Page<PersonSummary>>, ValidationProblem>> ListAsync(
        [AsParameters] PageRequest page, [AsParameters] PeopleListQuery query, ShepherdDbContext db, CallerScope scope, ClaimsPrincipal user,
        TimeProvider clock, CancellationToken ct)
    {
        var (criteria, errors) = await PeopleListCriteria.ReadAsync(query, db, clock, ct);
        if (criteria is null)
        {
            return ApiResults.Invalid(errors);
        }
        var filtered = query.Filter(scope.People(db.People.AsNoTracking()), criteria);
        var total = await filtered.CountAsync(ct);
        var items = await query.Order(filtered).Skip(page.Skip).Take(page.Size)
            .Select(p => new PersonSummary(p.Id, p.FirstName, p.LastName, p.PreferredName,
                (p.PreferredName ?? p.FirstName) + " " + p.LastName,
                p.Emails.OrderByDescending(e => e.IsPrimary).ThenBy(e => e.Id).Select(e => e.Address).FirstOrDefault(),
                p.Phones.OrderByDescending(x => x.IsPrimary).ThenBy(x => x.Id).Select(x => x.Number).FirstOrDefault(),
                p.MembershipStatus, p.Active, p.CampusId, p.ArchivedAt))
            .ToListAsync(ct);
        if (!user.Has(Permission.ContactDetailsRead))
        {
            items = [.. items.Select(i => i with { Email = null, Phone = null })];
        }
        return TypedResults.Ok(new Page<PersonSummary>(items, page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<PersonDetail>, ProblemHttpResult>> GetAsync(
        long id, ShepherdDbContext db, CallerScope scope, HttpContext http, CancellationToken ct)
    {
        var person = await scope.People(db.People.AsNoTracking())
            .Include(p => p.Emails).Include(p => p.Phones).Include(p => p.CustomFieldValues)
            .AsSplitQuery()
            .FirstOrDefaultAsync(p => p.Id == id, ct);
        if (person is null)
        {
            return ApiResults.NotFound("Person", id);
        }
        var definitions = await db.CustomFields.AsNoTracking().ToDictionaryAsync(d => d.Id, ct);
        ETags.Set(http, person.Version);
        return TypedResults.Ok(Visible(PersonDetail.From(person, definitions, await FamiliesOfAsync(db, id, ct)), http.User));
    }

    private static async Task<Results<Created<PersonDetail>, ValidationProblem>> CreateAsync(
        PersonRequest request, ShepherdDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var definitions = await db.CustomFields.AsNoTracking().ToListAsync(ct);
        if (await CheckAsync(request, definitions, db, clock, creating: true, ct) is { } invalid)
        {
            return invalid;
        }
        var person = new Person { FirstName = "", LastName = "" };
        PersonWriter.Apply(request, person, definitions, clock.GetUtcNow());
        db.People.Add(person);
        await db.SaveChangesAsync(ct);
        ETags.Set(http, person.Version);
        return TypedResults.Created($"/api/v1/people/{person.Id}", Visible(PersonDetail.From(person, definitions.ToDictionary(d => d.Id), []), http.User));
    }

    private static async Task<Results<Ok<PersonDetail>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, PersonRequest request, ShepherdDbContext db, CallerScope scope, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var person = await scope.People(db.People)
            .Include(p => p.Emails).Include(p => p.Phones).Include(p => p.CustomFieldValues)
            .AsSplitQuery()
            .FirstOrDefaultAsync(p => p.Id == id, ct);
        if (person is null)
        {
            return ApiResults.NotFound("Person", id);
        }
        if (!ETags.Matches(http.Request, person.Version))
        {
            return ApiResults.PreconditionFailed();
        }
        var definitions = await db.CustomFields.AsNoTracking().ToListAsync(ct);
        if (await CheckAsync(request, definitions, db, clock, creating: false, ct) is { } invalid)
        {
            return invalid;
        }
        PersonWriter.Apply(request, person, definitions, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        ETags.Set(http, person.Version);
        return TypedResults.Ok(Visible(PersonDetail.From(person, definitions.ToDictionary(d => d.Id), await FamiliesOfAsync(db, id, ct)), http.User));
    }

    private static async Task<ValidationProblem?> CheckAsync(PersonRequest request, IReadOnlyList<CustomFieldDefinition> definitions,
        ShepherdDbContext db, TimeProvider clock, bool creating, CancellationToken ct)
    {
        var errors = await PersonRequestChecks.CheckAsync(request, definitions, db, clock, creating, ct);
        return errors.Count == 0 ? null : ApiResults.Invalid(errors);
    }

    /// <summary>Contact details only for callers who may read them; family names only for those who may read families.</summary>
    private static PersonDetail Visible(PersonDetail person, ClaimsPrincipal user)
    {
        if (!user.Has(Permission.ContactDetailsRead))
        {
            person = person with { Emails = [], Phones = [], Address = AddressDto.From(new Address()) };
        }
        return user.Has(Permission.FamiliesRead) ? person : person with { Families = [] };
    }

    private static async Task<List<PersonFamilyResponse>> FamiliesOfAsync(ShepherdDbContext db, long personId, CancellationToken ct) =>
        await db.FamilyMembers.AsNoTracking().Where(m => m.PersonId == personId)
            .OrderBy(m => m.Family!.Name).ThenBy(m => m.FamilyId)
            .Select(m => new PersonFamilyResponse(m.FamilyId, m.Family!.Name, m.Role))
            .ToListAsync(ct);
}
