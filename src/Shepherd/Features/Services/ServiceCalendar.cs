using Microsoft.EntityFrameworkCore;
using Shepherd.Data;

namespace Shepherd.Features.Services;

/// <summary>A service's calendar date is its start in the organization's time zone: 9 pm Saturday in Chicago is Saturday, not Sunday UTC.</summary>
public static class ServiceCalendar
{
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
