using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Attendance;
using Shepherd.Data.Services;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Attendance;

/// <summary>Who was at a service, and which services a person was at.</summary>
public static class AttendanceLists
{
    public sealed record ServiceAttendee(
        long PersonId, string Name, string FirstName, string LastName, DateTimeOffset CheckedInAt, DateTimeOffset? CheckedOutAt,
        string? SecurityCode, CheckInMethod Method, string? PickedUpBy);

    public sealed record PersonAttendance(
        long ServiceId, string ServiceName, DateOnly Date, ServiceKind Kind, long CampusId, DateTimeOffset StartsAt,
        DateTimeOffset CheckedInAt, DateTimeOffset? CheckedOutAt);

    /// <summary>Sorted by last name, first name. A group leader sees only their groups' people in it.</summary>
    public static async Task<Results<Ok<Page<ServiceAttendee>>, ProblemHttpResult>> ForServiceAsync(
        long serviceId, [AsParameters] PageRequest page, ShepherdDbContext db, CallerScope scope, CancellationToken ct)
    {
        if (!await db.Services.AnyAsync(s => s.Id == serviceId, ct))
        {
            return ApiResults.NotFound("Service", serviceId);
        }
        var query = scope.Attendance(db.Attendance.AsNoTracking()).Where(a => a.ServiceId == serviceId);
        var total = await query.CountAsync(ct);
        var items = await query
            .OrderBy(a => a.Person!.LastName).ThenBy(a => a.Person!.FirstName).ThenBy(a => a.PersonId)
            .Skip(page.Skip).Take(page.Size)
            .Select(a => new ServiceAttendee(
                a.PersonId, (a.Person!.PreferredName ?? a.Person.FirstName) + " " + a.Person.LastName, a.Person.FirstName, a.Person.LastName,
                a.CheckedInAt, a.CheckedOutAt, a.SecurityCode, a.Method, a.PickedUpBy))
            .ToListAsync(ct);
        return TypedResults.Ok(new Page<ServiceAttendee>(items, page.Number, page.Size, total));
    }

    /// <summary>Newest first; read from the (person, service date, service) index.</summary>
    public static async Task<Results<Ok<Page<PersonAttendance>>, ProblemHttpResult>> ForPersonAsync(
        long personId, [AsParameters] PageRequest page, ShepherdDbContext db, CallerScope scope, CancellationToken ct)
    {
        if (!await scope.People(db.People).AnyAsync(p => p.Id == personId, ct))
        {
            return ApiResults.NotFound("Person", personId);
        }
        var query = db.Attendance.AsNoTracking().Where(a => a.PersonId == personId);
        var total = await query.CountAsync(ct);
        var items = await query
            .OrderByDescending(a => a.ServiceDate).ThenByDescending(a => a.Service!.StartsAt).ThenByDescending(a => a.ServiceId)
            .Skip(page.Skip).Take(page.Size)
            .Select(a => new PersonAttendance(
                a.ServiceId, a.Service!.Name, a.ServiceDate, a.Service.Kind, a.Service.CampusId, a.Service.StartsAt, a.CheckedInAt, a.CheckedOutAt))
            .ToListAsync(ct);
        return TypedResults.Ok(new Page<PersonAttendance>(items, page.Number, page.Size, total));
    }
}
