using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Attendance;
using Shepherd.Platform;
using Shepherd.Platform.Accounts;

namespace Shepherd.Features.CheckIn;

/// <summary>Someone's check-in to one of today's services, as the check-out and label pages show it.</summary>
public sealed record TodaysCheckIn(
    long ServiceId, string ServiceName, string Time, long PersonId, string FirstName, string LastName, string? MedicalNote,
    string? SecurityCode, bool CheckedOut, string? PickedUpBy)
{
    public string Name => $"{FirstName} {LastName}";

    public string Room => $"{ServiceName} {Time}";

    /// <summary>The check-out form's value for this check-in: "service:person".</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{ServiceId}:{PersonId}");
}

/// <summary>
/// Today's check-ins (the organization's calendar day), found by the code on a label or by the people of a family.
/// Reached through today's services (the services (organization_id, date) index, then attendance by service), never by
/// scanning attendance; a group leader sees only their groups' people.
/// </summary>
public static class TodaysCheckIns
{
    public const int Limit = 100;

    public static async Task<IReadOnlyList<TodaysCheckIn>> WithCodeAsync(
        string code, ShepherdDbContext db, CallerScope scope, TimeProvider clock, CancellationToken ct)
    {
        var upper = code.Trim().ToUpperInvariant();
        return await FindAsync(db, scope, clock, a => a.SecurityCode == upper, ct);
    }

    public static async Task<IReadOnlyList<TodaysCheckIn>> OfPeopleAsync(
        IReadOnlyCollection<long> personIds, ShepherdDbContext db, CallerScope scope, TimeProvider clock, CancellationToken ct) =>
        personIds.Count == 0 ? [] : await FindAsync(db, scope, clock, a => personIds.Contains(a.PersonId), ct);

    private static async Task<IReadOnlyList<TodaysCheckIn>> FindAsync(
        ShepherdDbContext db, CallerScope scope, TimeProvider clock, System.Linq.Expressions.Expression<Func<AttendanceRecord, bool>> which,
        CancellationToken ct)
    {
        var zone = await OrganizationCalendar.TimeZoneOfAsync(db, ct);
        var today = OrganizationCalendar.DateOf(clock.GetUtcNow(), zone);
        var services = db.Services.Where(s => s.Date == today).Select(s => s.Id);
        var rows = await scope.Attendance(db.Attendance.AsNoTracking())
            .Where(a => services.Contains(a.ServiceId))
            .Where(which)
            .OrderBy(a => a.Person!.LastName).ThenBy(a => a.Person!.FirstName).ThenBy(a => a.PersonId).ThenBy(a => a.Service!.StartsAt)
            .Take(Limit)
            .Select(a => new
            {
                a.ServiceId,
                Service = a.Service!.Name,
                a.Service.StartsAt,
                a.PersonId,
                FirstName = a.Person!.PreferredName ?? a.Person.FirstName,
                a.Person.LastName,
                a.Person.MedicalNote,
                a.SecurityCode,
                CheckedOut = a.CheckedOutAt != null,
                a.PickedUpBy,
            })
            .ToListAsync(ct);
        return [.. rows.Select(r => new TodaysCheckIn(
            r.ServiceId, r.Service, TimeZoneInfo.ConvertTime(r.StartsAt, zone).ToString("H:mm", CultureInfo.InvariantCulture),
            r.PersonId, r.FirstName, r.LastName, r.MedicalNote, r.SecurityCode, r.CheckedOut, r.PickedUpBy))];
    }
}
