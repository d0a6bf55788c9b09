using System.ComponentModel.DataAnnotations;
using Shepherd.Data.People;

namespace Shepherd.Features.People;

/// <summary>The query string of GET /api/v1/people: search, filters and sort.</summary>
public sealed record PeopleListQuery
{
    /// <summary>Matches the name, any e-mail address, or (with 3 or more digits) any phone number.</summary>
    [StringLength(200)]
    public string? Q { get; init; }

    /// <summary>name (default), firstName, birthDate, createdAt or updatedAt; a leading '-' sorts descending.</summary>
    [StringLength(20)]
    public string? Sort { get; init; }

    /// <summary>Membership status: visitor, attender, member or former.</summary>
    [StringLength(20)]
    public string? Status { get; init; }

    public long? CampusId { get; init; }

    public long? GroupId { get; init; }

    public bool? Active { get; init; }

    public bool? IncludeArchived { get; init; }

    public static readonly string[] Sorts = ["name", "firstName", "birthDate", "createdAt", "updatedAt"];

    /// <summary>Applies the search and filters; the caller has already checked <see cref="Status"/>.</summary>
    public IQueryable<Person> Filter(IQueryable<Person> people, MembershipStatus? status)
    {
        if (IncludeArchived != true)
        {
            people = people.Where(p => p.ArchivedAt == null);
        }
        if (status is { } s)
        {
            people = people.Where(p => p.MembershipStatus == s);
        }
        if (CampusId is { } campusId)
        {
            people = people.Where(p => p.CampusId == campusId);
        }
        if (GroupId is { } groupId)
        {
            people = people.Where(p => p.GroupMemberships.Any(m => m.GroupId == groupId));
        }
        if (Active is { } active)
        {
            people = people.Where(p => p.Active == active);
        }
        var term = Q?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(term))
        {
            var digits = PersonPhone.DigitsOf(term);
            people = digits.Length >= 3
                ? people.Where(p => p.SearchName.Contains(term) || p.Emails.Any(e => e.NormalizedAddress.Contains(term))
                    || p.Phones.Any(ph => ph.Digits.Contains(digits)))
                : people.Where(p => p.SearchName.Contains(term) || p.Emails.Any(e => e.NormalizedAddress.Contains(term)));
        }
        return people;
    }

    /// <summary>A stable order for every sort: ties are broken by id. Missing birth dates sort last on both providers.</summary>
    public IOrderedQueryable<Person> Order(IQueryable<Person> people)
    {
        var descending = Sort?.StartsWith('-') == true;
        var field = Sort?.TrimStart('-') ?? "name";
        return (field, descending) switch
        {
            ("firstName", false) => people.OrderBy(p => p.FirstName).ThenBy(p => p.LastName).ThenBy(p => p.Id),
            ("firstName", true) => people.OrderByDescending(p => p.FirstName).ThenByDescending(p => p.LastName).ThenByDescending(p => p.Id),
            ("birthDate", false) => people.OrderBy(p => p.BirthDate == null).ThenBy(p => p.BirthDate).ThenBy(p => p.Id),
            ("birthDate", true) => people.OrderBy(p => p.BirthDate == null).ThenByDescending(p => p.BirthDate).ThenByDescending(p => p.Id),
            ("createdAt", false) => people.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id),
            ("createdAt", true) => people.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id),
            ("updatedAt", false) => people.OrderBy(p => p.UpdatedAt).ThenBy(p => p.Id),
            ("updatedAt", true) => people.OrderByDescending(p => p.UpdatedAt).ThenByDescending(p => p.Id),
            (_, true) => people.OrderByDescending(p => p.LastName).ThenByDescending(p => p.FirstName).ThenByDescending(p => p.Id),
            _ => people.OrderBy(p => p.LastName).ThenBy(p => p.FirstName).ThenBy(p => p.Id),
        };
    }

    public bool SortIsKnown => Sort is null || Sorts.Contains(Sort.TrimStart('-'), StringComparer.Ordinal) && Sort.LastIndexOf('-') <= 0;
}
