using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Families;
using Shepherd.Features.People;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.Families;

/// <summary>
/// /families/new: a household in one form: its name (the first member's last name when left empty), address and home phone,
/// and its people typed in place (two adults and two children by default; more rows on request), optionally starting
/// from someone already on file (?personId=). The family and its new people are saved together, or nothing is.
/// </summary>
[RequirePermission(Permission.FamiliesWrite)]
public sealed class FamilyNewPageModel(ShepherdDbContext db, TimeProvider clock) : PageModel
{
    public const int MaxRows = 20;

    [BindProperty]
    public FamilyInput Input { get; set; } = new();

    [BindProperty]
    public List<NewMemberInput> Members { get; set; } = [];

    /// <summary>Someone on file who starts the family (from their profile's "Add a family").</summary>
    [BindProperty(SupportsGet = true)]
    public long? PersonId { get; set; }

    [BindProperty]
    public FamilyRole PersonRole { get; set; }

    [BindProperty]
    public bool More { get; set; }

    public string? PersonName { get; private set; }

    public IReadOnlyList<(long Id, string Name)> Campuses { get; private set; } = [];

    public DateOnly Today { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct))
        {
            return NotFound();
        }
        Members = [new() { Role = FamilyRole.Adult }, new() { Role = FamilyRole.Adult }, new() { Role = FamilyRole.Child }, new() { Role = FamilyRole.Child }];
        if (PersonId is not null)
        {
            Members.RemoveAt(0);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct))
        {
            return NotFound();
        }
        if (More)
        {
            ModelState.Clear();
            if (Members.Count < MaxRows)
            {
                Members.Add(new NewMemberInput { Role = FamilyRole.Child });
            }
            return Page();
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var lastName = Members.FirstOrDefault(m => !string.IsNullOrWhiteSpace(m.LastName))?.LastName?.Trim() ?? PersonName?.Split(' ')[^1];
        if (string.IsNullOrWhiteSpace(Input.Name) && lastName is not null)
        {
            Input.Name = $"{lastName} family";
            ModelState.Remove("Input.Name");
        }
        var request = Input.ToRequest();
        var errors = await ApiValidation.ErrorsAsync(request, HttpContext.RequestServices, ct);
        if (errors.Count == 0)
        {
            errors = await FamilyWriter.CheckAsync(request, db, ct);
        }
        foreach (var (path, messages) in errors)
        {
            Array.ForEach(messages, m => ModelState.AddModelError("Input." + FamilyInput.FieldOf(path), m));
        }
        var people = await NewFamilyMembers.BuildAsync(Members, i => $"Members[{i}]", lastName, db, clock, HttpContext.RequestServices, ModelState, ct);
        if (errors.Count > 0 || people is null)
        {
            return Page();
        }
        var family = new Family { Name = "" };
        FamilyWriter.Apply(request, family);
        if (PersonId is { } existing)
        {
            family.Members.Add(new FamilyMember { PersonId = existing, Role = PersonRole });
        }
        family.Members.AddRange(people.Select(p => new FamilyMember { Person = p.Person, Role = p.Role }));
        db.Families.Add(family);
        await db.SaveChangesAsync(ct);
        TempData.Success($"Added {family.Name} with {family.Members.Count} {(family.Members.Count == 1 ? "member" : "members")}.");
        return Redirect($"/families/{family.Id}");
    }

    /// <summary>The form's choices, and the person on file it starts from (false when that person is not in the organization).</summary>
    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        Campuses = [.. (await db.Campuses.AsNoTracking().OrderBy(c => c.Name).Select(c => new { c.Id, c.Name }).ToListAsync(ct)).Select(c => (c.Id, c.Name))];
        Today = await Platform.OrganizationCalendar.TodayAsync(db, clock, ct);
        if (PersonId is { } id)
        {
            var person = await db.People.AsNoTracking().Where(p => p.Id == id).Select(p => new { p.FirstName, p.PreferredName, p.LastName }).FirstOrDefaultAsync(ct);
            if (person is null)
            {
                return false;
            }
            PersonName = PersonDetail.DisplayNameOf(person.FirstName, person.PreferredName, person.LastName);
        }
        return true;
    }
}
