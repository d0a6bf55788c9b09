using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.People;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.People;

/// <summary>
/// /people/{id}/edit: change a person the caller may reach (a group leader: their groups' people). The form carries the
/// version it was loaded from: when someone saved the person in between, nothing is overwritten, the form keeps what was
/// typed and says what the other save changed; saving again then applies this form over it.
/// </summary>
[RequirePermission(Permission.PeopleWrite)]
public sealed class PersonEditPageModel(ShepherdDbContext db, TimeProvider clock) : PersonFormPageModel(db, clock)
{
    public long Id { get; private set; }

    public string Name { get; private set; } = "";

    /// <summary>Set when the save found the person changed since the form was loaded: the fields the other save changed.</summary>
    public IReadOnlyList<string>? ChangedMeanwhile { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var person = await LoadAsync(id, ct);
        if (person is null)
        {
            return NotFound();
        }
        await LoadChoicesAsync(ct);
        Input = PersonInput.From(person, Fields.ToDictionary(f => f.Id)).WithBlankRows();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        var person = await LoadAsync(id, ct);
        if (person is null)
        {
            return NotFound();
        }
        await LoadChoicesAsync(ct);
        if (AddsRow())
        {
            return Page();
        }
        if (Input.Version != person.Version)
        {
            return Stale(person);
        }
        if (!await TryApplyAsync(person, creating: false, ct))
        {
            Input.WithBlankRows();
            return Page();
        }
        try
        {
            await Db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Saved by someone else between this request's read and its write.
            Db.ChangeTracker.Clear();
            return Stale((await LoadAsync(id, ct))!);
        }
        TempData.Success($"Saved {Name}.");
        return Redirect($"/people/{id}");
    }

    private async Task<Person?> LoadAsync(long id, CancellationToken ct)
    {
        var person = await CallerScope.For(User, Db).People(Db.People)
            .Include(p => p.Emails).Include(p => p.Phones).Include(p => p.CustomFieldValues)
            .AsSplitQuery()
            .FirstOrDefaultAsync(p => p.Id == id, ct);
        if (person is not null)
        {
            Id = person.Id;
            Name = PersonDetail.DisplayNameOf(person.FirstName, person.PreferredName, person.LastName);
        }
        return person;
    }

    /// <summary>Keeps the typed form, moved onto the current version, and names what the other save changed.</summary>
    private PageResult Stale(Person current)
    {
        var saved = PersonInput.From(current, Fields.ToDictionary(f => f.Id));
        ChangedMeanwhile = PersonInputDifferences.Between(Input, saved, Fields);
        ModelState.Clear();
        Input.Version = current.Version;
        Input.WithBlankRows();
        ModelState.AddModelError("", $"Someone else saved {Name} while you were editing. Nothing you typed was saved or lost: check the fields below, then save again to apply your version.");
        return Page();
    }
}
