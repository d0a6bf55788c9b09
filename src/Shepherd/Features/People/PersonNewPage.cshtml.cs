using Microsoft.AspNetCore.Mvc;
using Shepherd.Data;
using Shepherd.Data.People;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.People;

/// <summary>/people/new: add a person, every field of the API's PersonRequest plus the medical note, checked as the API checks.</summary>
[RequirePermission(Permission.PeopleCreate)]
public sealed class PersonNewPageModel(ShepherdDbContext db, TimeProvider clock) : PersonFormPageModel(db, clock)
{
    public const string Path = "/people/new";

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadChoicesAsync(ct);
        Input.WithBlankRows();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadChoicesAsync(ct);
        if (AddsRow())
        {
            return Page();
        }
        var person = new Person { FirstName = "", LastName = "" };
        if (!await TryApplyAsync(person, creating: true, ct))
        {
            Input.WithBlankRows();
            return Page();
        }
        Db.People.Add(person);
        await Db.SaveChangesAsync(ct);
        TempData.Success($"Added {PersonDetail.DisplayNameOf(person.FirstName, person.PreferredName, person.LastName)}.");
        return Redirect($"/people/{person.Id}");
    }
}
