using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Families;
using Shepherd.Features.People;
using Shepherd.Platform;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.Families;

/// <summary>A member as the family page lists them.</summary>
public sealed record FamilyPageMember(long PersonId, string Name, FamilyRole Role, DateOnly? BirthDate, string? MedicalNote, bool Archived);

/// <summary>Someone on file the family page offers to add (from its search).</summary>
public sealed record FamilyCandidate(long Id, string Name, DateOnly? BirthDate);

/// <summary>
/// /families/{id}: the household: its members (adult or child; change the role, remove, add someone on file or a new person
/// in place), the people allowed to collect its children, its address and phone. Changes go through
/// <see cref="FamilyMembership"/>, as the family API's do.
/// </summary>
[RequirePermission(Permission.FamiliesRead)]
public sealed class FamilyPageModel(ShepherdDbContext db, TimeProvider clock) : PageModel
{
    public const int Candidates = 10;

    public Family Family { get; private set; } = null!;

    public string? CampusName { get; private set; }

    public IReadOnlyList<FamilyPageMember> Members { get; private set; } = [];

    public IReadOnlyList<AuthorizedPickup> Pickups { get; private set; } = [];

    public IReadOnlyList<FamilyCandidate> Found { get; private set; } = [];

    public DateOnly Today { get; private set; }

    /// <summary>The search for someone on file to add.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty]
    public NewMemberInput NewMember { get; set; } = new() { Role = FamilyRole.Child };

    [BindProperty]
    public AuthorizedPickupRequest Pickup { get; set; } = new();

    public bool Writes => User.Has(Permission.FamiliesWrite) && Family.ArchivedAt is null;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => await ShowAsync(id, ct);

    public async Task<IActionResult> OnPostAddMemberAsync(long id, long personId, FamilyRole role, CancellationToken ct)
    {
        if (!User.Has(Permission.FamiliesWrite))
        {
            return Forbid();
        }
        var result = await FamilyMembership.AddAsync(db, id, personId, role, ct);
        switch (result.Outcome)
        {
            case MembershipOutcome.FamilyNotFound:
            case MembershipOutcome.PersonNotFound:
                return NotFound();
            case MembershipOutcome.AlreadyAMember:
                ModelState.AddModelError("Q", "That person is already in this family.");
                return await ShowAsync(id, ct);
        }
        return Done(id, $"Added {NameOf(result.Member!)} as {(role == FamilyRole.Adult ? "an adult" : "a child")}.");
    }

    /// <summary>A new person typed in place, checked as POST /api/v1/people checks them, and added in the same save.</summary>
    public async Task<IActionResult> OnPostAddNewMemberAsync(long id, CancellationToken ct)
    {
        if (!User.Has(Permission.FamiliesWrite) || !User.Has(Permission.PeopleCreate))
        {
            return Forbid();
        }
        var family = await db.Families.FirstOrDefaultAsync(f => f.Id == id, ct);
        if (family is null)
        {
            return NotFound();
        }
        if (NewMember.IsBlank)
        {
            ModelState.AddModelError("NewMember.FirstName", "Type the person's first name.");
            return await ShowAsync(id, ct);
        }
        var lastName = await db.FamilyMembers.Where(m => m.FamilyId == id).OrderBy(m => m.Role).ThenBy(m => m.Id)
            .Select(m => m.Person!.LastName).FirstOrDefaultAsync(ct) ?? family.Name.Replace(" family", "", StringComparison.OrdinalIgnoreCase);
        var people = await NewFamilyMembers.BuildAsync([NewMember], _ => nameof(NewMember), lastName, db, clock, HttpContext.RequestServices, ModelState, ct);
        if (people is null)
        {
            return await ShowAsync(id, ct);
        }
        var (person, role) = people[0];
        family.Members.Add(new FamilyMember { Person = person, Role = role });
        await db.SaveChangesAsync(ct);
        return Done(id, $"Added {PersonDetail.DisplayNameOf(person.FirstName, person.PreferredName, person.LastName)} to the family.");
    }

    public async Task<IActionResult> OnPostChangeRoleAsync(long id, long personId, FamilyRole role, CancellationToken ct)
    {
        if (!User.Has(Permission.FamiliesWrite))
        {
            return Forbid();
        }
        var result = await FamilyMembership.ChangeRoleAsync(db, id, personId, role, ct);
        return result.Outcome == MembershipOutcome.Done
            ? Done(id, $"{NameOf(result.Member!)} is now {(role == FamilyRole.Adult ? "an adult" : "a child")} of the family.")
            : NotFound();
    }

    public async Task<IActionResult> OnPostRemoveMemberAsync(long id, long personId, CancellationToken ct)
    {
        if (!User.Has(Permission.FamiliesWrite))
        {
            return Forbid();
        }
        var result = await FamilyMembership.RemoveAsync(db, id, personId, ct);
        return result.Outcome == MembershipOutcome.Done ? Done(id, "Removed from the family; their own record stays.") : NotFound();
    }

    public async Task<IActionResult> OnPostAddPickupAsync(long id, CancellationToken ct)
    {
        if (!User.Has(Permission.FamiliesWrite))
        {
            return Forbid();
        }
        var errors = await ApiValidation.ErrorsAsync(Pickup, HttpContext.RequestServices, ct);
        if (errors.Count == 0)
        {
            var result = await FamilyMembership.AddPickupAsync(db, id, Pickup with { PersonId = null }, ct);
            switch (result.Outcome)
            {
                case MembershipOutcome.FamilyNotFound:
                    return NotFound();
                case MembershipOutcome.NameMissing:
                    errors["name"] = ["Give the name of the person allowed to collect the children."];
                    break;
                case MembershipOutcome.Done:
                    return Done(id, $"{result.Pickup!.Name} may now collect the children.");
            }
        }
        ModelState.AddErrors(errors, "Pickup");
        return await ShowAsync(id, ct);
    }

    public async Task<IActionResult> OnPostRemovePickupAsync(long id, long pickupId, CancellationToken ct)
    {
        if (!User.Has(Permission.FamiliesWrite))
        {
            return Forbid();
        }
        var result = await FamilyMembership.RemovePickupAsync(db, id, pickupId, ct);
        return result.Outcome == MembershipOutcome.Done ? Done(id, $"{result.Pickup!.Name} may no longer collect the children.") : NotFound();
    }

    public async Task<IActionResult> OnPostArchiveAsync(long id, CancellationToken ct) => await SetArchivedAsync(id, true, ct);

    public async Task<IActionResult> OnPostRestoreAsync(long id, CancellationToken ct) => await SetArchivedAsync(id, false, ct);

    private async Task<IActionResult> SetArchivedAsync(long id, bool archive, CancellationToken ct)
    {
        if (!User.Has(Permission.FamiliesWrite))
        {
            return Forbid();
        }
        var family = await db.Families.FirstOrDefaultAsync(f => f.Id == id, ct);
        if (family is null)
        {
            return NotFound();
        }
        if ((family.ArchivedAt is null) == archive)
        {
            family.ArchivedAt = archive ? clock.GetUtcNow() : null;
            await db.SaveChangesAsync(ct);
        }
        return Done(id, archive ? $"Archived {family.Name}. Its people keep their own records." : $"Restored {family.Name}.");
    }

    private RedirectResult Done(long id, string message)
    {
        TempData.Success(message);
        return Redirect($"/families/{id}");
    }

    private async Task<IActionResult> ShowAsync(long id, CancellationToken ct)
    {
        var family = await db.Families.AsNoTracking().Include(f => f.AuthorizedPickups).FirstOrDefaultAsync(f => f.Id == id, ct);
        if (family is null)
        {
            return NotFound();
        }
        Family = family;
        Today = await OrganizationCalendar.TodayAsync(db, clock, ct);
        CampusName = family.CampusId is { } campusId ? await db.Campuses.AsNoTracking().Where(c => c.Id == campusId).Select(c => c.Name).FirstOrDefaultAsync(ct) : null;
        Members = await db.FamilyMembers.AsNoTracking().Where(m => m.FamilyId == id)
            .OrderBy(m => m.Role).ThenBy(m => m.Person!.BirthDate == null).ThenBy(m => m.Person!.BirthDate).ThenBy(m => m.PersonId)
            .Select(m => new FamilyPageMember(m.PersonId, (m.Person!.PreferredName ?? m.Person.FirstName) + " " + m.Person.LastName, m.Role,
                m.Person.BirthDate, m.Person.MedicalNote, m.Person.ArchivedAt != null))
            .ToListAsync(ct);
        Pickups = [.. family.AuthorizedPickups.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Id)];
        if (!string.IsNullOrWhiteSpace(Q) && User.Has(Permission.PeopleRead))
        {
            var inFamily = db.FamilyMembers.Where(m => m.FamilyId == id).Select(m => m.PersonId);
            Found = await new PeopleListQuery { Q = Q.Trim() }.Filter(db.People.AsNoTracking(), status: null)
                .Where(p => !inFamily.Contains(p.Id))
                .OrderBy(p => p.LastName).ThenBy(p => p.FirstName).ThenBy(p => p.Id).Take(Candidates)
                .Select(p => new FamilyCandidate(p.Id, (p.PreferredName ?? p.FirstName) + " " + p.LastName, p.BirthDate))
                .ToListAsync(ct);
        }
        return Page();
    }

    private static string NameOf(FamilyMember m) => PersonDetail.DisplayNameOf(m.Person!.FirstName, m.Person.PreferredName, m.Person.LastName);
}
