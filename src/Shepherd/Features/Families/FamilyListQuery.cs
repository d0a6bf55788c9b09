using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using Shepherd.Data.Families;

namespace Shepherd.Features.Families;

/// <summary>The query string of GET /api/v1/families and of the /families page: search, filters and sort.</summary>
public sealed record FamilyListQuery
{
    public const string SortError = "Sort by name, members or updatedAt, with a leading '-' for descending order.";

    public static readonly string[] Sorts = ["name", "members", "updatedAt"];

    /// <summary>Part of the family's name, any case.</summary>
    [StringLength(200)]
    public string? Q { get; init; }

    /// <summary>name (default), members or updatedAt; a leading '-' sorts descending.</summary>
    [StringLength(20)]
    public string? Sort { get; init; }

    public bool? Active { get; init; }

    public bool? IncludeArchived { get; init; }

    /// <summary>true: only archived families.</summary>
    public bool? Archived { get; init; }

    public long? CampusId { get; init; }

    public bool SortIsKnown => Sort is null || Sorts.Contains(Sort.TrimStart('-'), StringComparer.Ordinal) && Sort.LastIndexOf('-') <= 0;

    [SuppressMessage("Performance", "CA1862", Justification = "EF translates ToLower().Contains to SQL on both providers; the StringComparison overload has no translation.")]
    public IQueryable<Family> Filter(IQueryable<Family> families)
    {
        if (Archived == true)
        {
            families = families.Where(f => f.ArchivedAt != null);
        }
        else if (IncludeArchived != true)
        {
            families = families.Where(f => f.ArchivedAt == null);
        }
        if (Active is { } active)
        {
            families = families.Where(f => f.Active == active);
        }
        if (CampusId is { } campusId)
        {
            families = families.Where(f => f.CampusId == campusId);
        }
        var term = Q?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(term))
        {
            families = families.Where(f => f.Name.ToLower().Contains(term));
        }
        return families;
    }

    /// <summary>A stable order for every sort: ties are broken by id.</summary>
    public IOrderedQueryable<Family> Order(IQueryable<Family> families)
    {
        var descending = Sort?.StartsWith('-') == true;
        return (Sort?.TrimStart('-'), descending) switch
        {
            ("members", false) => families.OrderBy(f => f.Members.Count).ThenBy(f => f.Name).ThenBy(f => f.Id),
            ("members", true) => families.OrderByDescending(f => f.Members.Count).ThenBy(f => f.Name).ThenBy(f => f.Id),
            ("updatedAt", false) => families.OrderBy(f => f.UpdatedAt).ThenBy(f => f.Id),
            ("updatedAt", true) => families.OrderByDescending(f => f.UpdatedAt).ThenByDescending(f => f.Id),
            (_, true) => families.OrderByDescending(f => f.Name).ThenByDescending(f => f.Id),
            _ => families.OrderBy(f => f.Name).ThenBy(f => f.Id),
        };
    }
}
