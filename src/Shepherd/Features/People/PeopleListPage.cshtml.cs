using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.CustomFields;
using Shepherd.Data.People;
using Shepherd.Platform;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.People;

/// <summary>One row of the people list and of its CSV download.</summary>
public sealed record PeopleListRow(
    long Id, string FirstName, string LastName, string? PreferredName, DateOnly? BirthDate, MembershipStatus Status, bool Active,
    long? CampusId, DateTimeOffset? ArchivedAt, string? Email, string? Phone, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public string DisplayName => PersonDetail.DisplayNameOf(FirstName, PreferredName, LastName);
}

/// <summary>
/// /people: everyone the caller may see (a group leader: their groups' people), searched and filtered as the API's list
/// is (<see cref="PeopleListQuery"/>, <see cref="PeopleListCriteria"/>), sorted and paged in the database. ?handler=csv
/// downloads exactly the filtered list, all pages, streamed.
/// </summary>
[RequirePermission(Permission.PeopleRead)]
public sealed class PeopleListPageModel(ShepherdDbContext db, TimeProvider clock) : PageModel
{
    public const string Path = "/people";

    public PeopleListQuery Query { get; private set; } = new();

    public IReadOnlyList<PeopleListRow> Rows { get; private set; } = [];

    public Pager Pager { get; private set; } = new(1, Pager.DefaultSize, 0);

    public IReadOnlyDictionary<long, string> Campuses { get; private set; } = new Dictionary<long, string>();

    public IReadOnlyList<(long Id, string Name)> Groups { get; private set; } = [];

    public IReadOnlyList<CustomFieldDefinition> Fields { get; private set; } = [];

    public bool ShowsContact => User.Has(Permission.ContactDetailsRead);

    public bool IsFiltered { get; private set; }

    public DateOnly Today { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] PeopleListQuery query, [FromQuery(Name = ListLinks.PageKey)] int? p, CancellationToken ct)
    {
        var people = await FilteredAsync(query, ct);
        if (people is null)
        {
            return Page();
        }
        Pager = Pager.For(p, await people.CountAsync(ct));
        Rows = await Project(Query.Order(people).Skip(Pager.Skip).Take(Pager.Size)).ToListAsync(ct);
        return Page();
    }

    /// <summary>The filtered list as CSV, every page, in the list's order.</summary>
    public async Task<IActionResult> OnGetCsvAsync([FromQuery] PeopleListQuery query, CancellationToken ct)
    {
        var people = await FilteredAsync(query, ct);
        if (people is null)
        {
            return Page();
        }
        var contact = ShowsContact;
        string[] header = contact
            ? ["id", "first_name", "last_name", "preferred_name", "status", "campus", "birth_date", "active", "archived", "email", "phone", "created_at", "updated_at"]
            : ["id", "first_name", "last_name", "preferred_name", "status", "campus", "birth_date", "active", "archived", "created_at", "updated_at"];
        var campuses = Campuses;
        return CsvFile.Of("people.csv", header, Project(Query.Order(people)).AsAsyncEnumerable(), r =>
        {
            IEnumerable<string?> fields =
            [
                r.Id.ToString(CultureInfo.InvariantCulture), r.FirstName, r.LastName, r.PreferredName, r.Status.ToString(),
                r.CampusId is { } c ? campuses.GetValueOrDefault(c) : null, r.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                r.Active ? "yes" : "no", r.ArchivedAt is null ? "no" : "yes",
            ];
            fields = contact ? fields.Append(r.Email).Append(r.Phone) : fields;
            return fields.Append(Time(r.CreatedAt)).Append(Time(r.UpdatedAt));
        });
    }

    /// <summary>The caller's people with the query's filters, or null (errors on the page) when the query is refused.</summary>
    private async Task<IQueryable<Person>?> FilteredAsync(PeopleListQuery query, CancellationToken ct)
    {
        Query = query;
        var scope = CallerScope.For(User, db);
        Campuses = await db.Campuses.AsNoTracking().OrderBy(c => c.Name).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        Groups = [.. (await scope.Groups(db.Groups.AsNoTracking()).Where(g => g.ArchivedAt == null).OrderBy(g => g.Name).ThenBy(g => g.Id)
            .Select(g => new { g.Id, g.Name }).ToListAsync(ct)).Select(g => (g.Id, g.Name))];
        Fields = await db.CustomFields.AsNoTracking().Where(f => f.Active).OrderBy(f => f.SortOrder).ThenBy(f => f.Label).ToListAsync(ct);
        Today = await OrganizationCalendar.TodayAsync(db, clock, ct);
        IsFiltered = query != new PeopleListQuery { Sort = query.Sort };
        if (!ModelState.IsValid)
        {
            return null;
        }
        var (criteria, errors) = await PeopleListCriteria.ReadAsync(query, db, clock, ct);
        if (criteria is null)
        {
            foreach (var (field, messages) in errors)
            {
                Array.ForEach(messages, m => ModelState.AddModelError(FormErrors.PropertyPath(field), m));
            }
            return null;
        }
        return query.Filter(scope.People(db.People.AsNoTracking()), criteria);
    }

    private static IQueryable<PeopleListRow> Project(IQueryable<Person> people) =>
        people.Select(p => new PeopleListRow(p.Id, p.FirstName, p.LastName, p.PreferredName, p.BirthDate, p.MembershipStatus, p.Active,
            p.CampusId, p.ArchivedAt,
            p.Emails.OrderByDescending(e => e.IsPrimary).ThenBy(e => e.Id).Select(e => e.Address).FirstOrDefault(),
            p.Phones.OrderByDescending(x => x.IsPrimary).ThenBy(x => x.Id).Select(x => x.Number).FirstOrDefault(),
            p.CreatedAt, p.UpdatedAt));

    /// <summary>The messages for one query parameter ("MaxAge"), to show beside its filter.</summary>
    public string? ErrorFor(string key) =>
        ModelState.TryGetValue(key, out var entry) && entry.Errors.Count > 0 ? string.Join(" ", entry.Errors.Select(e => e.ErrorMessage)) : null;

    public static int AgeOn(DateOnly birth, DateOnly today) =>
        today.Year - birth.Year - (today < birth.AddYears(today.Year - birth.Year) ? 1 : 0);

    private static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
