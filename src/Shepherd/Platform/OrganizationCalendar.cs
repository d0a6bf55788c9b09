using Microsoft.EntityFrameworkCore;
using Shepherd.Data;

namespace Shepherd.Platform;

/// <summary>
/// Dates as the organization sees them: a service at 9 pm Saturday in Chicago is on Saturday, not Sunday UTC,
/// and a note written on Sunday evening in Sydney is dated Sunday.
/// </summary>
public static class OrganizationCalendar
{
    /// <summary>Today in the organization's time zone, for default dates and "not in the future" checks.</summary>
    public static async Task<DateOnly> TodayAsync(ShepherdDbContext db, TimeProvider clock, CancellationToken ct) =>
        DateOf(clock.GetUtcNow(), await TimeZoneOfAsync(db, ct));

    public static async Task<TimeZoneInfo> TimeZoneOfAsync(ShepherdDbContext db, CancellationToken ct)
    {
        var id = await db.Organizations.AsNoTracking().Where(o => o.Id == db.OrganizationId).Select(o => o.TimeZone).FirstOrDefaultAsync(ct);
        return Find(id);
    }

    /// <summary>
    /// The IANA zone, or UTC when it is unset or unknown to this machine (no tzdata): a wrong setting must not stop
    /// services being recorded, and UTC is the documented default.
    /// </summary>
    public static TimeZoneInfo Find(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return TimeZoneInfo.Utc;
        }
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
        catch (InvalidTimeZoneException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    public static DateOnly DateOf(DateTimeOffset startsAt, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(startsAt, zone).DateTime);
}
