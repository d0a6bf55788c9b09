using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using Shepherd.Data.CustomFields;
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

    /// <summary>true: only archived people (merged duplicates among them).</summary>
    public bool? Archived { get; init; }

    /// <summary>People at least this old today, in the organization's calendar (people without a birth date are left out).</summary>
    [Range(0, 150, ErrorMessage = "minAge must be between 0 and 150.")]
    public int? MinAge { get; init; }

    /// <summary>People at most this old today (a 12-year-old is in maxAge=12 until their 13th birthday).</summary>
    [Range(0, 150, ErrorMessage = "maxAge must be between 0 and 150.")]
    public int? MaxAge { get; init; }

    /// <summary>A custom field's key; with <see cref="Value"/>, people whose value of it matches (text fields: contains).</summary>
    [StringLength(50)]
    public string? Field { get; init; }

    [StringLength(1000)]
    public string? Value { get; init; }

    public static readonly string[] Sorts = ["name", "firstName", "birthDate", "createdAt", "updatedAt"];

    /// <summary>Applies the search and filters read by <see cref="PeopleListCriteria.ReadAsync"/> (status, ages, custom field).</summary>
    [SuppressMessage("Performance", "CA1862", Justification = "EF translates ToLower().Contains to SQL on both providers; the StringComparison overload has no translation.")]
    public IQueryable<Person> Filter(IQueryable<Person> people, PeopleListCriteria criteria)
    {
        people = Filter(people, criteria.Status);
        if (criteria.BornOnOrBefore is { } latest)
        {
            people = people.Where(p => p.BirthDate != null && p.BirthDate <= latest);
        }
        if (criteria.BornAfter is { } earliest)
        {
            people = people.Where(p => p.BirthDate != null && p.BirthDate > earliest);
        }
        if (criteria.Field is { } field)
        {
            var (id, value) = (field.Id, criteria.FieldValue!);
            people = field.Type == CustomFieldType.Text
                ? people.Where(p => p.CustomFieldValues.Any(v => v.DefinitionId == id && v.Value.ToLower().Contains(value)))
                : people.Where(p => p.CustomFieldValues.Any(v => v.DefinitionId == id && v.Value == value));
        }
        return people;
    }

    /// <summary>Applies the search and the filters that need no look-up; the caller has already checked <see cref="Status"/>.</summary>
    public IQueryable<Person> Filter(IQueryable<Person> people, MembershipStatus? status)
    {
        if (Archived == true)
        {
            people = people.Where(p => p.ArchivedAt != null);
        }
        else if (IncludeArchived != true)
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
