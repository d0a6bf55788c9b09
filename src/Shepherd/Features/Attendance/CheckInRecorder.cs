using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Attendance;
using Shepherd.Data.Families;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Attendance;

/// <summary>One check-in, as POST /api/v1/services/{id}/attendance and the kiosk's page handler ask for it.</summary>
/// <param name="SecurityCode">The code printed on the label (upper-cased here); null lets a child get a generated one.</param>
/// <param name="ClientId">The id the client chose, so a retried request finds the record its first attempt made.</param>
public sealed record CheckInCommand(long ServiceId, long PersonId, string? SecurityCode, CheckInMethod Method, Guid? ClientId);

/// <summary>What became of a check-in: recorded (or found again for a repeated client id), or why not.</summary>
public abstract record CheckInOutcome
{
    /// <param name="Repeated">The client id was sent before: <paramref name="Record"/> is the check-in that request made.</param>
    public sealed record Recorded(AttendanceRecord Record, bool Repeated) : CheckInOutcome;

    public sealed record ServiceMissing : CheckInOutcome;

    public sealed record AlreadyCheckedIn(string Detail) : CheckInOutcome;

    /// <summary>The client id belongs to a check-in of someone else or to another service.</summary>
    public sealed record ClientIdTaken(string Detail) : CheckInOutcome;

    public sealed record Invalid(string Field, string Message) : CheckInOutcome;
}

/// <summary>
/// Checks a person in to a service: the one place both the API and the kiosk record a check-in, so they refuse the same
/// things with the same words. A child of a family always gets a security code. A repeated client id answers the record
/// the first attempt made (the kiosk retries after a dropped connection without knowing whether the first try landed);
/// the unique (client_id, organization_id) index settles two attempts that arrive at the same moment.
/// </summary>
public static class CheckInRecorder
{
    public static async Task<CheckInOutcome> RecordAsync(
        ShepherdDbContext db, CallerScope scope, TimeProvider clock, ClaimsPrincipal user, CheckInCommand command, CancellationToken ct)
    {
        if (command.ClientId == Guid.Empty)
        {
            return new CheckInOutcome.Invalid("clientId", "clientId must be a UUID other than the empty one.");
        }
        if (command.ClientId is { } clientId && await FindRepeatAsync(db, clientId, command, ct) is { } repeat)
        {
            return repeat;
        }
        var service = await db.Services.AsNoTracking().Where(s => s.Id == command.ServiceId).Select(s => new { s.Date }).FirstOrDefaultAsync(ct);
        if (service is null)
        {
            return new CheckInOutcome.ServiceMissing();
        }
        var personId = command.PersonId;
        // Someone a group leader may not reach gets the same answer as an id that does not exist.
        if (!await scope.People(db.People).AnyAsync(p => p.Id == personId, ct))
        {
            return new CheckInOutcome.Invalid("personId", $"There is no person with id {Id(personId)} in your organization.");
        }
        if (await PresentAsync(db, command, ct) is { } present)
        {
            return present;
        }
        var code = command.SecurityCode?.Trim().ToUpperInvariant();
        if (code is null && await db.FamilyMembers.AnyAsync(f => f.PersonId == personId && f.Role == FamilyRole.Child, ct))
        {
            // A child always gets a code, so nobody can collect them without the label.
            code = SecurityCodes.New();
        }
        var record = new AttendanceRecord
        {
            ServiceId = command.ServiceId,
            PersonId = personId,
            ServiceDate = service.Date,
            CheckedInAt = clock.GetUtcNow(),
            CheckedInByUserId = user.UserId(),
            SecurityCode = code,
            Method = command.Method,
            ClientId = command.ClientId,
        };
        db.Attendance.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (ApiExceptionHandler.IsConstraintViolation(e))
        {
            // Another request made the same check-in between our look-up and our insert: answer what it made.
            db.Entry(record).State = EntityState.Detached;
            if (command.ClientId is { } raced && await FindRepeatAsync(db, raced, command, ct) is { } first)
            {
                return first;
            }
            if (await PresentAsync(db, command, ct) is { } landed)
            {
                return landed;
            }
            throw;
        }
        return new CheckInOutcome.Recorded(record, Repeated: false);
    }

    private static async Task<CheckInOutcome?> FindRepeatAsync(ShepherdDbContext db, Guid clientId, CheckInCommand command, CancellationToken ct)
    {
        var earlier = await db.Attendance.AsNoTracking().FirstOrDefaultAsync(a => a.ClientId == clientId, ct);
        if (earlier is null)
        {
            return null;
        }
        return earlier.ServiceId == command.ServiceId && earlier.PersonId == command.PersonId
            ? new CheckInOutcome.Recorded(earlier, Repeated: true)
            : new CheckInOutcome.ClientIdTaken($"clientId {clientId} was already used for another check-in; send a new one for this check-in.");
    }

    /// <summary>
    /// The person's check-in to the service when there is one: the same check-in when it carries this client id (its
    /// first attempt landed since we looked), else a conflict.
    /// </summary>
    private static async Task<CheckInOutcome?> PresentAsync(ShepherdDbContext db, CheckInCommand command, CancellationToken ct)
    {
        var present = await db.Attendance.AsNoTracking().FirstOrDefaultAsync(a => a.ServiceId == command.ServiceId && a.PersonId == command.PersonId, ct);
        return present is null ? null
            : command.ClientId is { } clientId && present.ClientId == clientId ? new CheckInOutcome.Recorded(present, Repeated: true)
            : AlreadyIn(command);
    }

    private static CheckInOutcome.AlreadyCheckedIn AlreadyIn(CheckInCommand command) =>
        new($"Person {Id(command.PersonId)} is already checked in to service {Id(command.ServiceId)}.");

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
