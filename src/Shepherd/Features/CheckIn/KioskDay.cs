using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Services;
using Shepherd.Platform;

namespace Shepherd.Features.CheckIn;

/// <summary>A service a kiosk can check people in to: today's, with its campus and local start time.</summary>
public sealed record KioskService(long Id, string Name, ServiceKind Kind, long CampusId, string CampusName, DateTimeOffset StartsAt, string Time)
{
    /// <summary>"Kids church 9:00": the room as labels and the kiosk name it.</summary>
    public string Room => $"{Name} {Time}";
}

/// <summary>
/// Today as the kiosk sees it: the organization's calendar date and the services on it, children's services first (the
/// kiosk is mostly for children's rooms), then by start time. A church has a handful of services a day, so the list is
/// small; each one's campus name is read in the same query.
/// </summary>
public sealed record KioskDay(DateOnly Date, IReadOnlyList<KioskService> Services)
{
    public bool ManyCampuses => Services.Select(s => s.CampusId).Distinct().Count() > 1;

    public IEnumerable<(long Id, string Name)> Campuses => Services.Select(s => (s.CampusId, s.CampusName)).Distinct().OrderBy(c => c.CampusName, StringComparer.CurrentCulture);

    public string DateText => Date.ToString("dddd d MMMM yyyy", CultureInfo.InvariantCulture);

    public static async Task<KioskDay> TodayAsync(ShepherdDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var zone = await OrganizationCalendar.TimeZoneOfAsync(db, ct);
        var today = OrganizationCalendar.DateOf(clock.GetUtcNow(), zone);
        var campuses = db.Campuses;
        var rows = await db.Services.AsNoTracking().Where(s => s.Date == today)
            .OrderBy(s => s.Kind == ServiceKind.Kids ? 0 : 1).ThenBy(s => s.StartsAt).ThenBy(s => s.Name).ThenBy(s => s.Id)
            .Select(s => new { s.Id, s.Name, s.Kind, s.CampusId, Campus = campuses.Where(c => c.Id == s.CampusId).Select(c => c.Name).FirstOrDefault(), s.StartsAt })
            .Take(200)
            .ToListAsync(ct);
        return new KioskDay(today, [.. rows.Select(r => new KioskService(
            r.Id, r.Name, r.Kind, r.CampusId, r.Campus ?? "", r.StartsAt,
            TimeZoneInfo.ConvertTime(r.StartsAt, zone).ToString("H:mm", CultureInfo.InvariantCulture)))]);
    }
}
