using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Badges;
using Shepherd.Data.People;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.Badges;

/// <summary>A holder of a badge type with the date of their latest award of it.</summary>
public sealed record BadgeHolderRow(long Id, string FirstName, string? PreferredName, string LastName, MembershipStatus Status, bool Archived, DateOnly AwardedOn);

/// <summary>/badges/{id}: the people holding one badge type (<see cref="BadgeHolders"/>), by name, paged; ?handler=csv downloads them all.</summary>
[RequirePermission(Permission.BadgesRead)]
public sealed class BadgeHoldersPageModel(ShepherdDbContext db) : PageModel
{
    public BadgeType Type { get; private set; } = null!;

    public IReadOnlyList<BadgeHolderRow> Holders { get; private set; } = [];

    public Pager Pager { get; private set; } = new(1, Pager.DefaultSize, 0);

    public async Task<IActionResult> OnGetAsync(long id, [FromQuery(Name = ListLinks.PageKey)] int? p, CancellationToken ct)
    {
        if (await HoldersAsync(id, ct) is not { } holders)
        {
            return NotFound();
        }
        Pager = Pager.For(p, await holders.CountAsync(ct));
        Holders = await holders.Skip(Pager.Skip).Take(Pager.Size).ToListAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnGetCsvAsync(long id, CancellationToken ct)
    {
        if (await HoldersAsync(id, ct) is not { } holders)
        {
            return NotFound();
        }
        string[] header = ["id", "first_name", "last_name", "preferred_name", "status", "archived", "awarded_on"];
        return CsvFile.Of($"badge-{id.ToString(CultureInfo.InvariantCulture)}-holders.csv", header, holders.AsAsyncEnumerable(), h =>
        [
            h.Id.ToString(CultureInfo.InvariantCulture), h.FirstName, h.LastName, h.PreferredName, h.Status.ToString(),
            h.Archived ? "yes" : "no", h.AwardedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ]);
    }

    private async Task<IQueryable<BadgeHolderRow>?> HoldersAsync(long id, CancellationToken ct)
    {
        var type = await db.BadgeTypes.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct);
        if (type is null)
        {
            return null;
        }
        Type = type;
        return BadgeHolders.Of(db, CallerScope.For(User, db), id).AsNoTracking()
            .OrderBy(x => x.LastName).ThenBy(x => x.FirstName).ThenBy(x => x.Id)
            .Select(x => new BadgeHolderRow(x.Id, x.FirstName, x.PreferredName, x.LastName, x.MembershipStatus, x.ArchivedAt != null,
                x.Badges.Where(b => b.BadgeTypeId == id).Max(b => b.AwardedOn)));
    }
}
