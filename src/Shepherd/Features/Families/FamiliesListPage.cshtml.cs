using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Families;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.Families;

/// <summary>One row of the families list and its CSV download.</summary>
public sealed record FamilyListRow(long Id, string Name, int Members, string? HomePhone, string? City, long? CampusId, bool Active,
    DateTimeOffset? ArchivedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// /families: the organization's households, searched and filtered as GET /api/v1/families is (<see cref="FamilyListQuery"/>),
/// sorted and paged in the database; ?handler=csv downloads exactly the filtered list.
/// </summary>
[RequirePermission(Permission.FamiliesRead)]
public sealed class FamiliesListPageModel(ShepherdDbContext db) : PageModel
{
    public const string Path = "/families";

    public FamilyListQuery Query { get; private set; } = new();

    public IReadOnlyList<FamilyListRow> Rows { get; private set; } = [];

    public Pager Pager { get; private set; } = new(1, Pager.DefaultSize, 0);

    public IReadOnlyDictionary<long, string> Campuses { get; private set; } = new Dictionary<long, string>();

    public bool ShowsContact => User.Has(Permission.ContactDetailsRead);

    public bool IsFiltered => Query != new FamilyListQuery { Sort = Query.Sort };

    public async Task<IActionResult> OnGetAsync([FromQuery] FamilyListQuery query, [FromQuery(Name = ListLinks.PageKey)] int? p, CancellationToken ct)
    {
        if (await FilteredAsync(query, ct) is not { } families)
        {
            return Page();
        }
        Pager = Pager.For(p, await families.CountAsync(ct));
        Rows = await Project(Query.Order(families).Skip(Pager.Skip).Take(Pager.Size)).ToListAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnGetCsvAsync([FromQuery] FamilyListQuery query, CancellationToken ct)
    {
        if (await FilteredAsync(query, ct) is not { } families)
        {
            return Page();
        }
        var contact = ShowsContact;
        var campuses = Campuses;
        string[] header = contact
            ? ["id", "name", "members", "campus", "active", "archived", "home_phone", "city", "updated_at"]
            : ["id", "name", "members", "campus", "active", "archived", "updated_at"];
        return CsvFile.Of("families.csv", header, Project(Query.Order(families)).AsAsyncEnumerable(), r =>
        {
            IEnumerable<string?> fields =
            [
                r.Id.ToString(CultureInfo.InvariantCulture), r.Name, r.Members.ToString(CultureInfo.InvariantCulture),
                r.CampusId is { } c ? campuses.GetValueOrDefault(c) : null, r.Active ? "yes" : "no", r.ArchivedAt is null ? "no" : "yes",
            ];
            fields = contact ? fields.Append(r.HomePhone).Append(r.City) : fields;
            return fields.Append(r.UpdatedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        });
    }

    private async Task<IQueryable<Family>?> FilteredAsync(FamilyListQuery query, CancellationToken ct)
    {
        Query = query;
        Campuses = await db.Campuses.AsNoTracking().OrderBy(c => c.Name).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        if (!query.SortIsKnown)
        {
            ModelState.AddModelError("Sort", FamilyListQuery.SortError);
        }
        return ModelState.IsValid ? query.Filter(db.Families.AsNoTracking()) : null;
    }

    private static IQueryable<FamilyListRow> Project(IQueryable<Family> families) =>
        families.Select(f => new FamilyListRow(f.Id, f.Name, f.Members.Count, f.HomePhone, f.Address.City, f.CampusId, f.Active, f.ArchivedAt, f.UpdatedAt));
}
