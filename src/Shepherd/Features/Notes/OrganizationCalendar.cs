using Microsoft.EntityFrameworkCore;
using Shepherd.Data;

namespace Shepherd.Features.Notes;

/// <summary>
/// "Today" as the organization sees it: a note written on Sunday evening in Sydney is dated Sunday,
/// although it is still Sunday morning in UTC. Used for default dates and "not in the future" checks.
/// </summary>
public static class OrganizationCalendar
{
    public static async Task<DateOnly> TodayAsync(ShepherdDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var organizationId = db.OrganizationId;
        var timeZoneId = await db.Organizations.AsNoTracking()
            .Where(o => o.Id == organizationId)
            .Select(o => o.TimeZone)
            .FirstOrDefaultAsync(ct);
        var now = clock.GetUtcNow();
        var zone = timeZoneId is not null && TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var found) ? found : TimeZoneInfo.Utc;
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
    }
}
