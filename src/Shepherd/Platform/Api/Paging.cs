using System.ComponentModel.DataAnnotations;

namespace Shepherd.Platform.Api;

/// <summary>`?page=&amp;pageSize=` from the query string. Sizes over <see cref="MaxPageSize"/> are refused, not silently cut.</summary>
public sealed record PageRequest
{
    public const int MaxPageSize = 200;

    [Range(1, 1_000_000, ErrorMessage = "page must be between 1 and 1000000.")]
    public int? Page { get; init; }

    [Range(1, MaxPageSize, ErrorMessage = "pageSize must be between 1 and 200.")]
    public int? PageSize { get; init; }

    public int Number => Page ?? 1;

    public int Size => PageSize ?? 50;

    public int Skip => (Number - 1) * Size;
}

/// <summary>A page of a list, with the total so clients can show page numbers.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, int TotalCount);
