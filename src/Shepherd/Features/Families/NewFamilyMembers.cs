using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Families;
using Shepherd.Data.People;
using Shepherd.Features.People;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.Families;

/// <summary>
/// People typed into a family form, checked one by one exactly as POST /api/v1/people checks a body and written with
/// <see cref="PersonWriter"/>; the caller adds them to the family in the same save, so a family and its new people are
/// created together or not at all.
/// </summary>
internal static class NewFamilyMembers
{
    private static readonly HashSet<string> RowFields = new(["firstName", "lastName", "birthDate", "gender", "medicalNote"], StringComparer.Ordinal);

    /// <summary>The people of the filled rows, or null with the errors put on each row's fields (under <paramref name="rowPrefix"/>(i), e.g. "Members[2]").</summary>
    public static async Task<List<(Person Person, FamilyRole Role)>?> BuildAsync(IReadOnlyList<NewMemberInput> rows, Func<int, string> rowPrefix, string? familyLastName,
        ShepherdDbContext db, TimeProvider clock, IServiceProvider services, ModelStateDictionary modelState, CancellationToken ct)
    {
        var definitions = await db.CustomFields.AsNoTracking().ToListAsync(ct);
        var people = new List<(Person, FamilyRole)>();
        var valid = true;
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].IsBlank)
            {
                continue;
            }
            var request = rows[i].ToRequest(familyLastName);
            var errors = await ApiValidation.ErrorsAsync(request, services, ct);
            if (errors.Count == 0)
            {
                errors = await PersonRequestChecks.CheckAsync(request, definitions, db, clock, creating: true, ct);
            }
            foreach (var (path, messages) in errors)
            {
                // A required custom field has no box in a family's row: say where to give it.
                var (field, suffix) = RowFields.Contains(path) ? (path, "") : ("firstName", " Add this person with “Add a person”, where every field is.");
                Array.ForEach(messages, m => modelState.AddModelError($"{rowPrefix(i)}.{FormErrors.PropertyPath(field)}", m + suffix));
            }
            if (errors.Count > 0)
            {
                valid = false;
                continue;
            }
            var person = new Person { FirstName = "", LastName = "" };
            PersonWriter.Apply(request, person, definitions, clock.GetUtcNow());
            people.Add((person, rows[i].Role));
        }
        return valid ? people : null;
    }
}
