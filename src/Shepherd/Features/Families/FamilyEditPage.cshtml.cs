using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Families;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.Families;

/// <summary>
/// /families/{id}/edit: the family's name, address, home phone, campus and active flag, checked and written as
/// PUT /api/v1/families/{id} does. A save over someone else's keeps the typed form and says so.
/// </summary>
[RequirePermission(Permission.FamiliesWrite)]
public sealed class FamilyEditPageModel(ShepherdDbContext db) : PageModel
{
    [BindProperty]
    public FamilyInput Input { get; set; } = new();

    public long Id { get; private set; }

    public string Name { get; private set; } = "";

    public IReadOnlyList<(long Id, string Name)> Campuses { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is not { } family)
        {
            return NotFound();
        }
        Input = FamilyInput.From(family);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is not { } family)
        {
            return NotFound();
        }
        if (Input.Version != family.Version)
        {
            return Stale(family);
        }
        if (!ModelState.IsValid)
        {
            return Page();
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
        if (errors.Count > 0)
        {
            return Page();
        }
        FamilyWriter.Apply(request, family);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return Stale((await LoadAsync(id, ct))!);
        }
        TempData.Success($"Saved {family.Name}.");
        return Redirect($"/families/{id}");
    }

    private async Task<Family?> LoadAsync(long id, CancellationToken ct)
    {
        var family = await db.Families.FirstOrDefaultAsync(f => f.Id == id, ct);
        if (family is not null)
        {
            (Id, Name) = (family.Id, family.Name);
            Campuses = [.. (await db.Campuses.AsNoTracking().OrderBy(c => c.Name).Select(c => new { c.Id, c.Name }).ToListAsync(ct)).Select(c => (c.Id, c.Name))];
        }
        return family;
    }

    private PageResult Stale(Family current)
    {
        ModelState.Clear();
        Input.Version = current.Version;
        ModelState.AddModelError("", $"Someone else saved {current.Name} while you were editing. Nothing you typed was saved or lost: check the fields, then save again to apply your version.");
        return Page();
    }
}
