using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Badges;
using Shepherd.Data.People;
using Shepherd.Features.Privacy;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.People;

/// <summary>
/// /people/{id}: one person's profile, each part shown to the roles that may read it (<see cref="PersonProfile"/>), with
/// the changes the roles may make here: archive and restore, photo, badges, notes (PersonPage.*.cs) and, for
/// administrators, the privacy export and erasure. Each change is checked as its API endpoint checks it, by the same code.
/// </summary>
[RequirePermission(Permission.PeopleRead)]
public sealed partial class PersonPageModel(ShepherdDbContext db, TimeProvider clock) : PageModel
{
    public PersonProfile Profile { get; private set; } = null!;

    public IReadOnlyList<BadgeType> BadgeTypes { get; private set; } = [];

    /// <summary>The notes page shown ("np" in the query).</summary>
    public int NotesPage { get; private set; } = 1;

    public async Task<IActionResult> OnGetAsync(long id, [FromQuery(Name = "np")] int? np, CancellationToken ct) =>
        await ShowAsync(id, ct, np) ?? (IActionResult)NotFound();

    public async Task<IActionResult> OnPostArchiveAsync(long id, CancellationToken ct) => await SetArchivedAsync(id, archive: true, ct);

    public async Task<IActionResult> OnPostRestoreAsync(long id, CancellationToken ct) => await SetArchivedAsync(id, archive: false, ct);

    /// <summary>Erases the person on request (administrators), after their full name is typed again, as POST /api/v1/people/{id}/erase.</summary>
    public async Task<IActionResult> OnPostEraseAsync(long id, string? confirm, CancellationToken ct)
    {
        if (!User.Has(Permission.PrivacyManage))
        {
            return Forbid();
        }
        var person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (person is null)
        {
            return NotFound();
        }
        if (person.ErasedAt is not null)
        {
            ModelState.AddModelError("confirm", "This person was already erased.");
            return await ShowAsync(id, ct) ?? (IActionResult)NotFound();
        }
        if (!PersonEraser.Confirms(person.FirstName, person.PreferredName, person.LastName, confirm))
        {
            ModelState.AddModelError("confirm", PersonEraser.ConfirmMessage);
            return await ShowAsync(id, ct) ?? (IActionResult)NotFound();
        }
        await PersonEraser.EraseAsync(db, id, ct);
        TempData.Success("Erased the person: their name, contact details, notes, badges and memberships are gone; attendance counts stay.");
        return Redirect($"/people/{id}");
    }

    private async Task<IActionResult> SetArchivedAsync(long id, bool archive, CancellationToken ct)
    {
        if (!User.Has(Permission.PeopleWrite))
        {
            return Forbid();
        }
        var person = await CallerScope.For(User, db).People(db.People).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (person is null)
        {
            return NotFound();
        }
        var name = PersonDetail.DisplayNameOf(person.FirstName, person.PreferredName, person.LastName);
        if ((person.ArchivedAt is null) == archive)
        {
            person.ArchivedAt = archive ? clock.GetUtcNow() : null;
            await db.SaveChangesAsync(ct);
        }
        TempData.Success(archive
            ? $"Archived {name}: left out of lists and searches, with their history kept. Restore them here at any time."
            : $"Restored {name}.");
        return Redirect($"/people/{id}");
    }

    /// <summary>Loads the profile for the page (after a refused form too, so its errors show beside it); null when not reachable.</summary>
    private async Task<PageResult?> ShowAsync(long id, CancellationToken ct, int? notesPage = null)
    {
        NotesPage = Pager.Clamp(notesPage);
        var profile = await PersonProfile.LoadAsync(db, User, clock, id, NotesPage, ct);
        if (profile is null)
        {
            return null;
        }
        Profile = profile;
        if (User.Has(Permission.BadgesWrite))
        {
            BadgeTypes = await db.BadgeTypes.AsNoTracking().Where(t => t.Active).OrderBy(t => t.Name).ToListAsync(ct);
        }
        return Page();
    }

    private Task<bool> ReachableAsync(long id, CancellationToken ct) => CallerScope.For(User, db).People(db.People).AnyAsync(p => p.Id == id, ct);
}
