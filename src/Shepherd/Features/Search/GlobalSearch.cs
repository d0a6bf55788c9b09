using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.People;
using Shepherd.Platform.Accounts;

namespace Shepherd.Features.Search;

/// <summary>One thing found: what it is, its name, a line that tells two Smiths apart, and where it lives.</summary>
public sealed record SearchHit(string Kind, long Id, string Name, string? Detail, string Path);

/// <summary>Found people, families and groups, each list only for a caller who may read that kind.</summary>
public sealed record SearchResults(IReadOnlyList<SearchHit> People, IReadOnlyList<SearchHit> Families, IReadOnlyList<SearchHit> Groups)
{
    public static readonly SearchResults None = new([], [], []);

    public int Count => People.Count + Families.Count + Groups.Count;

    public IEnumerable<SearchHit> All => People.Concat(Families).Concat(Groups);
}

/// <summary>
/// The search box in the header: people by name, e-mail or phone digits (as the people list searches), families and
/// groups by name; archived records left out, a group leader limited to their groups' people.
/// </summary>
public static class GlobalSearch
{
    public const int MinLength = 2;
    public const int MaxLength = 100;

    [SuppressMessage("Performance", "CA1862", Justification = "EF translates ToLower().Contains to SQL on both providers; the StringComparison overload has no translation.")]
    public static async Task<SearchResults> FindAsync(string? q, int limit, ShepherdDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        var term = q?.Trim().ToLowerInvariant();
        if (term is null || term.Length < MinLength || term.Length > MaxLength)
        {
            return SearchResults.None;
        }
        var scope = CallerScope.For(user, db);
        List<SearchHit> people = [], families = [], groups = [];
        if (user.Has(Permission.PeopleRead))
        {
            var query = new People.PeopleListQuery { Q = term }.Filter(scope.People(db.People.AsNoTracking()), status: null);
            var rows = await query.OrderBy(p => p.LastName).ThenBy(p => p.FirstName).ThenBy(p => p.Id).Take(limit)
                .Select(p => new { p.Id, Name = (p.PreferredName ?? p.FirstName) + " " + p.LastName, p.BirthDate, p.MembershipStatus })
                .ToListAsync(ct);
            people = [.. rows.Select(p => new SearchHit("person", p.Id, p.Name, Describe(p.MembershipStatus, p.BirthDate), $"/people/{p.Id}"))];
        }
        if (user.Has(Permission.FamiliesRead))
        {
            var rows = await db.Families.AsNoTracking().Where(f => f.ArchivedAt == null && f.Name.ToLower().Contains(term))
                .OrderBy(f => f.Name).ThenBy(f => f.Id).Take(limit)
                .Select(f => new { f.Id, f.Name, Members = f.Members.Count })
                .ToListAsync(ct);
            families = [.. rows.Select(f => new SearchHit("family", f.Id, f.Name, f.Members == 1 ? "1 member" : $"{f.Members} members", $"/families/{f.Id}"))];
        }
        if (user.Has(Permission.GroupsRead))
        {
            var rows = await scope.Groups(db.Groups.AsNoTracking()).Where(g => g.ArchivedAt == null && g.Name.ToLower().Contains(term))
                .OrderBy(g => g.Name).ThenBy(g => g.Id).Take(limit)
                .Select(g => new { g.Id, g.Name, g.Kind })
                .ToListAsync(ct);
            groups = [.. rows.Select(g => new SearchHit("group", g.Id, g.Name, g.Kind.ToString(), $"/groups/{g.Id}"))];
        }
        return new SearchResults(people, families, groups);
    }

    private static string Describe(MembershipStatus status, DateOnly? birthDate) =>
        birthDate is { } born ? $"{status}, born {born.Year}" : status.ToString();
}
