using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shepherd.Data;
using Shepherd.Features.Attendance;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.CheckIn;

/// <summary>
/// /checkin/labels?code=K7Q4: the labels of today's check-ins with that security code, to print again (a jammed printer,
/// a lost pickup label): a name label per child and the matching pickup label. The kiosk prints the same labels itself
/// from what it knows locally, so it needs this page only for reprints. Whoever has the code may see whose it is.
/// </summary>
[RequirePermission(Permission.CheckIn)]
public sealed partial class LabelsPageModel(ShepherdDbContext db, TimeProvider clock) : PageModel
{
    public const string Path = "/checkin/labels";

    [BindProperty(SupportsGet = true)]
    public string? Code { get; set; }

    public IReadOnlyList<TodaysCheckIn> CheckIns { get; private set; } = [];

    public string? Problem { get; private set; }

    public string DateText { get; private set; } = "";

    public async Task OnGetAsync(CancellationToken ct)
    {
        var day = await KioskDay.TodayAsync(db, clock, ct);
        DateText = day.DateText;
        if (string.IsNullOrWhiteSpace(Code))
        {
            return;
        }
        if (!CodePattern().IsMatch(Code.Trim()))
        {
            Problem = "A security code is 3 to 8 letters or digits, as printed on the label.";
            return;
        }
        CheckIns = await TodaysCheckIns.WithCodeAsync(Code, db, CallerScope.For(User, db), clock, ct);
        if (CheckIns.Count == 0)
        {
            Problem = $"No check-in today has the code {Code.Trim().ToUpperInvariant()}.";
        }
    }

    [GeneratedRegex(SecurityCodes.Pattern)]
    private static partial Regex CodePattern();
}
