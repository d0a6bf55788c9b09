using System.Diagnostics.CodeAnalysis;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Families;
using Shepherd.Data.People;
using Shepherd.Platform;

namespace Shepherd.Features.CheckIn;

/// <summary>
/// How a kiosk finds a family: by the last digits of a family member's phone (4 or more digits) or by part of the
/// family's name (2 or more letters). It answers what a volunteer needs to check children in and hand them back, nothing
/// more: names, family roles, ages, the allergy or medical note printed on a child's label, and the authorized pickups'
/// names. No phone numbers, e-mail addresses, street addresses or birth dates: the check-in role has no right to them.
/// Used by GET /api/v1/checkin/families and by the kiosk page.
/// </summary>
public static class KioskFamilySearch
{
    public const int MaxResults = 20;

    public const string Rule = "Search by the last 4 or more digits of a phone number, or by 2 to 50 letters of the family name.";

    public sealed record KioskPerson(long PersonId, string FirstName, string LastName, FamilyRole Role, int? Age, string? MedicalNote);

    public sealed record KioskPickup(long Id, string Name, string? Relationship);

    public sealed record KioskFamily(long Id, string Name, IReadOnlyList<KioskPerson> Members, IReadOnlyList<KioskPickup> Pickups);

    /// <summary>The families found, best first (by name), at most <see cref="MaxResults"/>; null when <paramref name="q"/> breaks <see cref="Rule"/>.</summary>
    [SuppressMessage("Performance", "CA1862", Justification = "EF translates ToLower().Contains to SQL on both providers; the StringComparison overload has no translation.")]
    public static async Task<IReadOnlyList<KioskFamily>?> FindAsync(string? q, ShepherdDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (Parse(q) is not { } search)
        {
            return null;
        }
        var families = db.Families.AsNoTracking().Where(f => f.ArchivedAt == null && f.Active);
        if (search.Digits is { } digits)
        {
            // Digits only, so nothing in the pattern needs escaping.
            var pattern = "%" + digits;
            families = families.Where(f => f.Members.Any(m => m.Person!.Phones.Any(p => EF.Functions.Like(p.Digits, pattern))));
        }
        else
        {
            var lower = search.Text.ToLowerInvariant();
            families = families.Where(f => f.Name.ToLower().Contains(lower));
        }
        var found = await families.OrderBy(f => f.Name).ThenBy(f => f.Id).Take(MaxResults)
            .Select(f => new
            {
                f.Id,
                f.Name,
                Members = f.Members.Where(m => m.Person!.ArchivedAt == null && m.Person.ErasedAt == null)
                    .OrderBy(m => m.Role).ThenBy(m => m.Person!.BirthDate)
                    .Select(m => new { m.PersonId, FirstName = m.Person!.PreferredName ?? m.Person.FirstName, m.Person.LastName, m.Role, m.Person.BirthDate, m.Person.MedicalNote })
                    .ToList(),
                Pickups = f.AuthorizedPickups.OrderBy(p => p.Name).Select(p => new KioskPickup(p.Id, p.Name, p.Relationship)).ToList(),
            })
            .ToListAsync(ct);
        var today = await OrganizationCalendar.TodayAsync(db, clock, ct);
        return [.. found.Select(f => new KioskFamily(
            f.Id, f.Name,
            [.. f.Members.Select(m => new KioskPerson(m.PersonId, m.FirstName, m.LastName, m.Role, Age(m.BirthDate, today), m.MedicalNote))],
            f.Pickups))];
    }

    /// <summary>Whole years, for telling two children apart at the kiosk without showing a birth date.</summary>
    public static int? Age(DateOnly? birthDate, DateOnly today) =>
        birthDate is { } born ? today.Year - born.Year - (today < born.AddYears(today.Year - born.Year) ? 1 : 0) : null;

    private sealed record Search(string Text, string? Digits);

    private static Search? Parse(string? q)
    {
        var term = q?.Trim() ?? "";
        var byPhone = term.Length > 0 && term.All(c => char.IsAsciiDigit(c) || c is ' ' or '-' or '(' or ')' or '+' or '.');
        var digits = PersonPhone.DigitsOf(term);
        if (term.Length > 50 || (byPhone ? digits.Length < 4 : term.Length < 2))
        {
            return null;
        }
        return new Search(term, byPhone ? digits : null);
    }
}
