using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.People;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.People;

/// <summary>One side of the merge page's comparison.</summary>
public sealed record MergeSide(long Id, string Name, DateOnly? BirthDate, MembershipStatus Status, string? Email, string? Phone, string? City,
    DateTimeOffset CreatedAt, int Attendance);

/// <summary>
/// /people/{id}/merge: pick the duplicate of person {id} (by search, or from the records that share their name, e-mail or
/// phone), see side by side what each holds and the preview of what moves (<see cref="PersonMerge"/>, a dry run), then
/// merge. The preview's versions travel with the form: if either record changes in between, the merge stops and says so.
/// </summary>
[RequirePermission(Permission.PeopleMerge)]
public sealed class PersonMergePageModel(ShepherdDbContext db) : PageModel
{
    public const int Candidates = 20;

    public MergeSide Survivor { get; private set; } = null!;

    public MergeSide? Duplicate { get; private set; }

    public MergePreview? Preview { get; private set; }

    public string? Problem { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    public IReadOnlyList<MergeSide> Found { get; private set; } = [];

    public IReadOnlyList<MergeSide> Likely { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, long? with, CancellationToken ct)
    {
        if (await SideAsync(id, ct) is not { } survivor)
        {
            return NotFound();
        }
        Survivor = survivor;
        if (with is not { } duplicateId)
        {
            await FindCandidatesAsync(survivor, ct);
            return Page();
        }
        var result = await PersonMerge.RunAsync(db, id, duplicateId, dryRun: true, ct);
        return await ShowAsync(result, duplicateId, ct);
    }

    public async Task<IActionResult> OnPostAsync(long id, long with, int survivorVersion, int duplicateVersion, CancellationToken ct)
    {
        var result = await PersonMerge.RunAsync(db, id, with, dryRun: false, ct, (survivorVersion, duplicateVersion));
        if (result.Outcome == MergeOutcome.Merged)
        {
            var preview = result.Preview!;
            TempData.Success($"Merged {preview.Duplicate.Name} into {preview.Survivor.Name}. The duplicate record is archived and points here.");
            return Redirect($"/people/{id}");
        }
        db.ChangeTracker.Clear();
        if (await SideAsync(id, ct) is not { } survivor)
        {
            return NotFound();
        }
        Survivor = survivor;
        // Show the preview as it is now, with the reason the merge did not happen.
        var again = await PersonMerge.RunAsync(db, id, with, dryRun: true, ct);
        var shown = await ShowAsync(again, with, ct);
        Problem = result.Problem;
        return shown;
    }

    private async Task<IActionResult> ShowAsync(MergeResult result, long duplicateId, CancellationToken ct)
    {
        if (result.Outcome is MergeOutcome.SurvivorNotFound or MergeOutcome.DuplicateNotFound)
        {
            return NotFound();
        }
        Duplicate = await SideAsync(duplicateId, ct);
        Preview = result.Preview;
        Problem = result.Problem;
        return Page();
    }

    private async Task FindCandidatesAsync(MergeSide survivor, CancellationToken ct)
    {
        var people = db.People.AsNoTracking().Where(p => p.ArchivedAt == null && p.Id != survivor.Id);
        if (!string.IsNullOrWhiteSpace(Q))
        {
            var found = new PeopleListQuery { Q = Q.Trim() }.Filter(people, status: null);
            Found = await Sides(found.OrderBy(p => p.LastName).ThenBy(p => p.FirstName).ThenBy(p => p.Id).Take(Candidates)).ToListAsync(ct);
        }
        // Same name, or the same primary e-mail or phone: the usual duplicates (a visitor card, a kiosk sign-up).
        var me = await db.People.AsNoTracking().Where(p => p.Id == survivor.Id).Select(p => new { p.FirstName, p.LastName, p.Email, p.Phone }).SingleAsync(ct);
        var likely = people.Where(p => (p.LastName == me.LastName && p.FirstName == me.FirstName)
            || (me.Email != null && p.Email == me.Email) || (me.Phone != null && p.Phone == me.Phone));
        Likely = await Sides(likely.OrderBy(p => p.Id).Take(Candidates)).ToListAsync(ct);
    }

    private Task<MergeSide?> SideAsync(long id, CancellationToken ct) =>
        Sides(db.People.AsNoTracking().Where(p => p.Id == id)).FirstOrDefaultAsync(ct);

    private IQueryable<MergeSide> Sides(IQueryable<Person> people) =>
        people.Select(p => new MergeSide(p.Id, (p.PreferredName ?? p.FirstName) + " " + p.LastName, p.BirthDate, p.MembershipStatus,
            p.Emails.OrderByDescending(e => e.IsPrimary).ThenBy(e => e.Id).Select(e => e.Address).FirstOrDefault(),
            p.Phones.OrderByDescending(x => x.IsPrimary).ThenBy(x => x.Id).Select(x => x.Number).FirstOrDefault(),
            p.Address.City, p.CreatedAt, db.Attendance.Count(a => a.PersonId == p.Id)));
}
