using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.Badges;

/// <summary>A badge type with how many people hold it.</summary>
public sealed record BadgeTypeRow(long Id, string Name, string? Description, string Color, bool Active, int Holders);

/// <summary>/badges: every badge type with its colour and how many people hold it; each links to its holders.</summary>
[RequirePermission(Permission.BadgesRead)]
public sealed class BadgesPageModel(ShepherdDbContext db) : PageModel
{
    public IReadOnlyList<BadgeTypeRow> Types { get; private set; } = [];

    public Pager Pager { get; private set; } = new(1, Pager.DefaultSize, 0);

    public async Task OnGetAsync([FromQuery(Name = ListLinks.PageKey)] int? p, CancellationToken ct)
    {
        var scope = CallerScope.For(User, db);
        var types = db.BadgeTypes.AsNoTracking();
        Pager = Pager.For(p, await types.CountAsync(ct));
        var people = scope.People(db.People);
        Types = await types.OrderByDescending(t => t.Active).ThenBy(t => t.Name).ThenBy(t => t.Id).Skip(Pager.Skip).Take(Pager.Size)
            .Select(t => new BadgeTypeRow(t.Id, t.Name, t.Description, t.Color, t.Active, people.Count(x => x.Badges.Any(b => b.BadgeTypeId == t.Id))))
            .ToListAsync(ct);
    }
}
