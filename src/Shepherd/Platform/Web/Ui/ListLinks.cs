using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Shepherd.Platform.Web.Ui;

/// <summary>
/// Links to the same list with some of its query changed (another page, another sort, a filter removed), keeping the
/// rest: every list's filters survive paging and sorting.
/// </summary>
public static class ListLinks
{
    /// <summary>The page number's query key ("page" is taken by Razor Pages' routing).</summary>
    public const string PageKey = "p";

    public const string SortKey = "sort";

    /// <summary>The current path and query with <paramref name="changes"/> applied: a null value removes the key.</summary>
    public static string With(HttpRequest request, params (string Key, string? Value)[] changes) =>
        With(request.Path, request.Query.ToDictionary(q => q.Key, q => q.Value, StringComparer.OrdinalIgnoreCase), changes);

    /// <summary><paramref name="path"/> with the query <paramref name="query"/> after <paramref name="changes"/>.</summary>
    public static string With(string path, IDictionary<string, StringValues> query, params (string Key, string? Value)[] changes)
    {
        var result = new Dictionary<string, StringValues>(query, StringComparer.OrdinalIgnoreCase);
        result.Remove("handler");
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = value;
            }
        }
        var pairs = result.Where(p => !StringValues.IsNullOrEmpty(p.Value))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))
            .OrderBy(p => p.Key, StringComparer.Ordinal);
        return QueryHelpers.AddQueryString(path, pairs);
    }
}
