using Microsoft.EntityFrameworkCore;
using Shepherd.Data;

namespace Shepherd.Features.CheckIn;

/// <summary>One room (a service) right now: checked in so far, checked out again, and so still in the room.</summary>
public sealed record RoomCount(long ServiceId, int CheckedIn, int CheckedOut)
{
    public int Present => CheckedIn - CheckedOut;
}

/// <summary>
/// Live counts per service for the kiosk and the rooms page. Whole-room numbers for every role that checks people in, a
/// group leader included: they name nobody. Two correlated counts per service read the attendance (service_id, ...) index.
/// </summary>
public static class RoomCounts
{
    public static async Task<IReadOnlyList<RoomCount>> ForAsync(IReadOnlyCollection<long> serviceIds, ShepherdDbContext db, CancellationToken ct)
    {
        if (serviceIds.Count == 0)
        {
            return [];
        }
        var attendance = db.Attendance;
        return await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id))
            .OrderBy(s => s.Id)
            .Select(s => new RoomCount(
                s.Id,
                attendance.Count(a => a.ServiceId == s.Id),
                attendance.Count(a => a.ServiceId == s.Id && a.CheckedOutAt != null)))
            .ToListAsync(ct);
    }
}
