using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shepherd.Data;
using Shepherd.Platform.Accounts;

namespace Shepherd.Features.Search;

/// <summary>
/// /search: everything the header's search box finds, by kind. ?handler=suggest answers the box's suggestions as you
/// type (JSON, a few of each kind). Open to every role that may read people, families or groups.
/// </summary>
public sealed class SearchPageModel(ShepherdDbContext db) : PageModel
{
    public const string Path = "/search";
    public const int PageLimit = 50;
    public const int SuggestLimit = 5;

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    public SearchResults Results { get; private set; } = SearchResults.None;

    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!MaySearch())
        {
            return Forbid();
        }
        var term = Q?.Trim() ?? "";
        if (term.Length is > 0 and < GlobalSearch.MinLength)
        {
            Problem = $"Type at least {GlobalSearch.MinLength} letters or digits.";
        }
        else if (term.Length > GlobalSearch.MaxLength)
        {
            Problem = $"Search for at most {GlobalSearch.MaxLength} characters.";
        }
        else
        {
            Results = await GlobalSearch.FindAsync(term, PageLimit, db, User, ct);
        }
        return Page();
    }

    public async Task<IActionResult> OnGetSuggestAsync(CancellationToken ct)
    {
        if (!MaySearch())
        {
            return Forbid();
        }
        var results = await GlobalSearch.FindAsync(Q, SuggestLimit, db, User, ct);
        return new JsonResult(results.All.Select(h => new { h.Kind, h.Name, h.Detail, h.Path }));
    }

    private bool MaySearch() => User.Has(Permission.PeopleRead) || User.Has(Permission.FamiliesRead) || User.Has(Permission.GroupsRead);
}
