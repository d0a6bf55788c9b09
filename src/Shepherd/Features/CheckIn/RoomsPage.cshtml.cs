using Microsoft.AspNetCore.Mvc.RazorPages;
using Shepherd.Data;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.CheckIn;

/// <summary>
/// /checkin/rooms: how many are in each of today's rooms right now (checked in minus checked out), for the check-in
/// desk and the room leaders; it reloads itself every few seconds (a meta refresh, so it needs no script).
/// </summary>
[RequirePermission(Permission.CheckIn)]
public sealed class RoomsPageModel(ShepherdDbContext db, TimeProvider clock) : PageModel
{
    public const string Path = "/checkin/rooms";
    public const int RefreshSeconds = 10;

    public KioskDay Day { get; private set; } = new(default, []);

    public IReadOnlyDictionary<long, RoomCount> Counts { get; private set; } = new Dictionary<long, RoomCount>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        Day = await KioskDay.TodayAsync(db, clock, ct);
        var counts = await RoomCounts.ForAsync([.. Day.Services.Select(s => s.Id)], db, ct);
        Counts = counts.ToDictionary(c => c.ServiceId);
        ViewData["RefreshSeconds"] = RefreshSeconds;
    }

    public RoomCount CountOf(long serviceId) => Counts.GetValueOrDefault(serviceId) ?? new RoomCount(serviceId, 0, 0);
}
