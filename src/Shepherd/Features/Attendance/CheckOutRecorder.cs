using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Attendance;
using Shepherd.Data.Families;
using Shepherd.Platform.Accounts;

namespace Shepherd.Features.Attendance;

/// <summary>One check-out, as the API and the kiosk's check-out page ask for it.</summary>
/// <param name="SecurityCode">The code from the pickup label.</param>
/// <param name="AuthorizedPickupId">Instead of the code: one of the authorized pickups of a family the person is a child of.</param>
/// <param name="PickedUpBy">Who collected the person, as told (replaced by the pickup's name when one is chosen).</param>
public sealed record CheckOutCommand(long ServiceId, long PersonId, string? SecurityCode, long? AuthorizedPickupId, string? PickedUpBy);

/// <summary>What became of a check-out.</summary>
public abstract record CheckOutOutcome
{
    public sealed record CheckedOut(AttendanceRecord Record) : CheckOutOutcome;

    /// <summary>No such check-in; <paramref name="ServiceMissing"/> says whether the service itself is missing.</summary>
    public sealed record NotFound(bool ServiceMissing) : CheckOutOutcome;

    public sealed record AlreadyCheckedOut(string Detail) : CheckOutOutcome;

    public sealed record Invalid(string Field, string Message) : CheckOutOutcome;
}

/// <summary>
/// Checks a person out of a service. A check-in with a security code (every child's) is released only with the same code
/// or to an authorized pickup of one of the child's families, whose name is then recorded as who collected them.
/// <see cref="ApplyAsync"/> changes the tracked record and leaves saving to the caller, so the check-out page can release
/// several children of one family in one transaction, or none of them.
/// </summary>
public static class CheckOutRecorder
{
    public const string WrongCode = "The security code does not match the one on the check-in label.";

    public static async Task<CheckOutOutcome> ApplyAsync(
        ShepherdDbContext db, CallerScope scope, TimeProvider clock, ClaimsPrincipal user, CheckOutCommand command, CancellationToken ct)
    {
        var record = await scope.Attendance(db.Attendance).FirstOrDefaultAsync(a => a.ServiceId == command.ServiceId && a.PersonId == command.PersonId, ct);
        if (record is null)
        {
            return new CheckOutOutcome.NotFound(ServiceMissing: !await db.Services.AnyAsync(s => s.Id == command.ServiceId, ct));
        }
        if (record.CheckedOutAt is not null)
        {
            return new CheckOutOutcome.AlreadyCheckedOut($"Person {Id(command.PersonId)} was already checked out of service {Id(command.ServiceId)}.");
        }
        var pickedUpBy = string.IsNullOrWhiteSpace(command.PickedUpBy) ? null : command.PickedUpBy.Trim();
        if (command.AuthorizedPickupId is { } pickupId)
        {
            // Only a pickup of a family the person is a child of: another family's grandmother is nobody here.
            var personId = command.PersonId;
            var pickup = await db.AuthorizedPickups.AsNoTracking()
                .Where(p => p.Id == pickupId && db.FamilyMembers.Any(m => m.FamilyId == p.FamilyId && m.PersonId == personId && m.Role == FamilyRole.Child))
                .Select(p => p.Name)
                .FirstOrDefaultAsync(ct);
            if (pickup is null)
            {
                return new CheckOutOutcome.Invalid("authorizedPickupId",
                    $"Authorized pickup {Id(pickupId)} may not collect this child: they are not on the pickup list of the child's family.");
            }
            pickedUpBy = pickup;
        }
        else if (record.SecurityCode is not null && !SecurityCodes.Matches(record.SecurityCode, command.SecurityCode))
        {
            return new CheckOutOutcome.Invalid("securityCode", WrongCode);
        }
        record.CheckedOutAt = clock.GetUtcNow();
        record.CheckedOutByUserId = user.UserId();
        record.PickedUpBy = pickedUpBy;
        return new CheckOutOutcome.CheckedOut(record);
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
