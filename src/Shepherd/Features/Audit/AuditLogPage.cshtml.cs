using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Platform.Accounts;

namespace Shepherd.Features.Audit;

/// <summary>
/// The audit log in the browser, for the roles that may read it: the same filters as GET /api/v1/audit (one action,
/// record, actor, address, a range of days), newest first, 50 a page, and links to export exactly what is shown.
/// Read only: nothing on the page changes an entry.
/// </summary>
public sealed class AuditLogPageModel(ShepherdDbContext db) : PageModel
{
    public const string Path = "/audit";
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "action")]
    public string? ActionName { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? EntityType { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? EntityId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ActorUserId { get; set; }

    /// <summary>A day (yyyy-MM-dd, UTC) or a time; entries from its start.</summary>
    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    /// <summary>A day (yyyy-MM-dd, UTC), inclusive, or a time (exclusive).</summary>
    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Ip { get; set; }

    /// <summary>"page" is taken by Razor Pages' routing, so the page number travels as "p".</summary>
    [BindProperty(SupportsGet = true, Name = "p")]
    public int? PageNumber { get; set; }

    public IReadOnlyList<AuditApi.AuditEntryResponse> Entries { get; private set; } = [];

    public int Total { get; private set; }

    public int Number => Math.Max(PageNumber ?? 1, 1);

    public int Pages => Math.Max((Total + PageSize - 1) / PageSize, 1);

    public IDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    public static IReadOnlyList<string> ActionNames { get; } =
        [.. Enum.GetNames<AuditAction>().Select(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName)];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!User.Has(Permission.AuditRead))
        {
            return Forbid();
        }
        if (PageNumber is < 1 or > 1_000_000)
        {
            Errors = new Dictionary<string, string[]> { ["p"] = ["The page number must be between 1 and 1000000."] };
            return Page();
        }
        if (AuditApi.Filter(db, Query(), out var filtered) is { } invalid)
        {
            Errors = invalid.ProblemDetails.Errors;
            return Page();
        }
        Total = await filtered.CountAsync(cancellationToken);
        var rows = await filtered.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip((Number - 1) * PageSize).Take(PageSize).ToListAsync(cancellationToken);
        Entries = [.. rows.Select(AuditApi.Response)];
        return Page();
    }

    /// <summary>The filters as the API takes them: blanks dropped, a plain "to" day made the start of the next day.</summary>
    private AuditApi.AuditQuery Query() => new()
    {
        Action = Blank(ActionName) is { } action ? [action] : null,
        EntityType = Blank(EntityType),
        EntityId = Blank(EntityId),
        ActorUserId = Blank(ActorUserId),
        From = Blank(From),
        To = Blank(To) is { } to && DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : Blank(To),
        Ip = Blank(Ip),
    };

    /// <summary>This page's address with the current filters, some replaced (null removes one).</summary>
    public string Link(params (string Name, string? Value)[] changes)
    {
        var values = Filters().ToDictionary(f => f.Name, f => f.Value);
        foreach (var (name, value) in changes)
        {
            values[name] = value;
        }
        return QueryHelpers.AddQueryString(Path, values.Where(v => !string.IsNullOrEmpty(v.Value)));
    }

    /// <summary>The export of exactly the filtered entries, all pages.</summary>
    public string ExportLink(string format)
    {
        var query = Query();
        var values = new List<KeyValuePair<string, string?>> { new("format", format) };
        values.AddRange(new (string, string?)[]
        {
            ("action", query.Action?[0]), ("entityType", query.EntityType), ("entityId", query.EntityId),
            ("actorUserId", query.ActorUserId), ("from", query.From), ("to", query.To), ("ip", query.Ip),
        }.Where(v => v.Item2 is not null).Select(v => new KeyValuePair<string, string?>(v.Item1, v.Item2)));
        return QueryHelpers.AddQueryString("/api/v1/audit/export", values);
    }

    private IEnumerable<(string Name, string? Value)> Filters() =>
    [
        ("action", Blank(ActionName)), ("entityType", Blank(EntityType)), ("entityId", Blank(EntityId)),
        ("actorUserId", Blank(ActorUserId)), ("from", Blank(From)), ("to", Blank(To)), ("ip", Blank(Ip)),
    ];

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
