using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Families;
using Shepherd.Data.People;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.CheckIn;

/// <summary>
/// The check-in kiosk's family search: GET /api/v1/checkin/families?q= by the last digits of a family member's phone
/// (4 or more digits) or by part of the family's name (2 or more letters). It answers with what a volunteer needs to
/// check children in and hand them back, nothing more: names, family roles, ages and the authorized pickups' names.
/// No phone numbers, e-mail addresses, street addresses, birth dates or notes: the check-in role has no right to them.
/// </summary>
public static class CheckInSearchApi
{
    public const int MaxResults = 20;

    public sealed record KioskPerson(long PersonId, string FirstName, string LastName, FamilyRole Role, int? Age);

    public sealed record KioskPickup(long Id, string Name, string? Relationship);

    public sealed record KioskFamily(long Id, string Name, IReadOnlyList<KioskPerson> Members, IReadOnlyList<KioskPickup> Pickups);

    public static void MapCheckInSearchApi(this IEndpointRouteBuilder api) =>
        api.MapGroup("/checkin").WithTags("Check-in").MapGet("/families", SearchAsync).RequirePermission(Permission.CheckInSearch);

    [SuppressMessage("Performance", "CA1862", Justification = "EF translates ToLower().Contains to SQL on both providers; the StringComparison overload has no translation.")]
    private static async Task<Results<Ok<IReadOnlyList<KioskFamily>>, ValidationProblem>> SearchAsync(
        string? q, ShepherdDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var term = q?.Trim() ?? "";
        var digits = PersonPhone.DigitsOf(term);
        var byPhone = term.Length > 0 && term.All(c => char.IsAsciiDigit(c) || c is ' ' or '-' or '(' or ')' or '+' or '.');
        if (term.Length > 50 || (byPhone ? digits.Length < 4 : term.Length < 2))
        {
            return ApiResults.Invalid("q", "Search by the last 4 or more digits of a phone number, or by 2 to 50 letters of the family name.");
        }

        var families = db.Families.AsNoTracking().Where(f => f.ArchivedAt == null && f.Active);
        if (byPhone)
        {
            // Digits only, so nothing in the pattern needs escaping.
            var pattern = "%" + digits;
            families = families.Where(f => f.Members.Any(m => m.Person!.Phones.Any(p => EF.Functions.Like(p.Digits, pattern))));
        }
        else
        {
            var lower = term.ToLowerInvariant();
            families = families.Where(f => f.Name.ToLower().Contains(lower));
        }
        var found = await families.OrderBy(f => f.Name).ThenBy(f => f.Id).Take(MaxResults)
            .Select(f => new
            {
                f.Id,
                f.Name,
                Members = f.Members.Where(m => m.Person!.ArchivedAt == null && m.Person.ErasedAt == null)
                    .OrderBy(m => m.Role).ThenBy(m => m.Person!.BirthDate)
                    .Select(m => new { m.PersonId, FirstName = m.Person!.PreferredName ?? m.Person.FirstName, m.Person.LastName, m.Role, m.Person.BirthDate })
                    .ToList(),
                Pickups = f.AuthorizedPickups.OrderBy(p => p.Name).Select(p => new KioskPickup(p.Id, p.Name, p.Relationship)).ToList(),
            })
            .ToListAsync(ct);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        return TypedResults.Ok<IReadOnlyList<KioskFamily>>([.. found.Select(f => new KioskFamily(
            f.Id, f.Name, [.. f.Members.Select(m => new KioskPerson(m.PersonId, m.FirstName, m.LastName, m.Role, Age(m.BirthDate, today)))], f.Pickups))]);
    }

    /// <summary>Whole years, for telling two children apart at the kiosk without showing a birth date.</summary>
    private static int? Age(DateOnly? birthDate, DateOnly today) =>
        birthDate is { } born ? today.Year - born.Year - (today < born.AddYears(today.Year - born.Year) ? 1 : 0) : null;
}
