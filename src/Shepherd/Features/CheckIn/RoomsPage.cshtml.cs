using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shepherd.Data;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.CheckIn;

/// <summary>
/// /checkin/rooms: how many are in each of today's rooms right now (checked in minus checked out), for the check-in
/// desk and the room leaders. wwwroot/js/rooms.js refreshes the numbers every few seconds from <c>?handler=counts</c>
/// (not a meta refresh, which would reload the page under a screen reader's feet); without script, a Refresh link.
/// </summary>
[RequirePermission(Permission.CheckIn)]
public sealed class RoomsPageModel(ShepherdDbContext db, TimeProvider clock) : PageModel
{
    public const string Path = "/checkin/rooms";
    public const int RefreshSeconds = 5;

    public KioskDay Day { get; private set; } = new(default, []);

    public IReadOnlyDictionary<long, RoomCount> Counts { get; private set; } = new Dictionary<long, RoomCount>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        Day = await KioskDay.TodayAsync(db, clock, ct);
        var counts = await RoomCounts.ForAsync([.. Day.Services.Select(s => s.Id)], db, ct);
        Counts = counts.ToDictionary(c => c.ServiceId);
        var zone = await Platform.OrganizationCalendar.TimeZoneOfAsync(db, ct);
        CountedAt = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).ToString("H:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Today's rooms' numbers, for the page's script.</summary>
    public async Task<IActionResult> OnGetCountsAsync(CancellationToken ct)
    {
        Day = await KioskDay.TodayAsync(db, clock, ct);
        var counts = await RoomCounts.ForAsync([.. Day.Services.Select(s => s.Id)], db, ct);
        return KioskJson.Ok(counts.Select(c => new { c.ServiceId, c.CheckedIn, c.CheckedOut, c.Present }));
    }

    /// <summary>The server's time of the numbers, in the organization's zone ("9:41:07").</summary>
    public string CountedAt { get; private set; } = "";

    public RoomCount CountOf(long serviceId) => Counts.GetValueOrDefault(serviceId) ?? new RoomCount(serviceId, 0, 0);
}
