using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.CustomFields;
using Shepherd.Data.People;
using Shepherd.Platform;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.People;

/// <summary>
/// What /people/new and /people/{id}/edit share: the form's choices (campuses, custom fields) and the save, which checks
/// the posted form as POST/PUT /api/v1/people check their body (the request's annotations, then
/// <see cref="PersonRequestChecks"/>) and writes it with <see cref="PersonWriter"/>.
/// </summary>
public abstract class PersonFormPageModel(ShepherdDbContext db, TimeProvider clock) : PageModel
{
    protected ShepherdDbContext Db { get; } = db;

    [BindProperty]
    public PersonInput Input { get; set; } = new();

    /// <summary>"email" or "phone": the form was posted to add a row of that kind, not to save.</summary>
    [BindProperty]
    public string? More { get; set; }

    public IReadOnlyList<CustomFieldDefinition> Fields { get; private set; } = [];

    public IReadOnlyList<(long Id, string Name)> Campuses { get; private set; } = [];

    public DateOnly Today { get; private set; }

    protected async Task LoadChoicesAsync(CancellationToken ct)
    {
        Fields = await Db.CustomFields.AsNoTracking().OrderBy(f => f.SortOrder).ThenBy(f => f.Label).ToListAsync(ct);
        Campuses = [.. (await Db.Campuses.AsNoTracking().OrderBy(c => c.Name).Select(c => new { c.Id, c.Name }).ToListAsync(ct)).Select(c => (c.Id, c.Name))];
        Today = await OrganizationCalendar.TodayAsync(Db, clock, ct);
    }

    /// <summary>The custom fields the form shows: the active ones, and retired ones the person still has a value for.</summary>
    public IEnumerable<CustomFieldDefinition> ShownFields => Fields.Where(f => f.Active || Input.CustomFields.ContainsKey(f.Key));

    /// <summary>
    /// Checks the form and, when it passes, copies it onto <paramref name="person"/> (not yet saved). Errors go on the
    /// form's fields; false means nothing was changed.
    /// </summary>
    protected async Task<bool> TryApplyAsync(Person person, bool creating, CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return false;
        }
        var request = Input.ToRequest(Fields);
        var errors = await ApiValidation.ErrorsAsync(request, HttpContext.RequestServices, ct);
        if (errors.Count == 0)
        {
            errors = await PersonRequestChecks.CheckAsync(request, Fields, Db, clock, creating, ct);
        }
        foreach (var (path, messages) in errors)
        {
            Array.ForEach(messages, m => ModelState.AddModelError(path.Length == 0 ? "" : "Input." + Input.FieldOf(path), m));
        }
        if (errors.Count > 0)
        {
            return false;
        }
        PersonWriter.Apply(request, person, Fields, clock.GetUtcNow());
        return true;
    }

    /// <summary>Shows the form again with one more blank e-mail or phone row, keeping everything typed.</summary>
    protected bool AddsRow()
    {
        if (More is not ("email" or "phone"))
        {
            return false;
        }
        ModelState.Clear();
        Input.WithBlankRows(More);
        return true;
    }
}
