using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Attendance;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Attendance;

/// <summary>
/// Attendance: who was at a service. Check-in and check-out under /api/v1/services/{serviceId}/attendance,
/// a person's history under /api/v1/people/{personId}/attendance, per-service totals under /api/v1/attendance/counts.
/// </summary>
public static class AttendanceApi
{
    public static void MapAttendanceApi(this IEndpointRouteBuilder api)
    {
        var attendance = api.MapGroup("/services/{serviceId:long}/attendance").WithTags("Attendance");
        attendance.MapGet("/", AttendanceLists.ForServiceAsync).RequirePermission(Permission.AttendanceRead);
        attendance.MapPost("/", CheckInAsync).RequirePermission(Permission.CheckIn);
        attendance.MapPost("/bulk", BulkCheckInAsync).RequirePermission(Permission.AttendanceWrite);
        attendance.MapPost("/{personId:long}/checkout", CheckOutAsync).RequirePermission(Permission.CheckIn);
        attendance.MapDelete("/{personId:long}", RemoveAsync).RequirePermission(Permission.AttendanceWrite);
        api.MapGet("/people/{personId:long}/attendance", AttendanceLists.ForPersonAsync).WithTags("Attendance").RequirePermission(Permission.AttendanceRead);
        api.MapGet("/attendance/counts", AttendanceCounts.ListAsync).WithTags("Attendance").RequirePermission(Permission.AttendanceRead);
    }

    public sealed record CheckInRequest
    {
        [Required, Range(1, long.MaxValue)]
        public long? PersonId { get; init; }

        /// <summary>3–8 letters or digits from a printed label. Left out for a child in a family, one is generated.</summary>
        [RegularExpression(SecurityCodes.Pattern, ErrorMessage = "securityCode must be 3 to 8 letters or digits.")]
        public string? SecurityCode { get; init; }

        /// <summary>list, kiosk, api (default) or import.</summary>
        public CheckInMethod? Method { get; init; }

        /// <summary>
        /// A UUID the client made for this check-in. Sending it again (a retry after a lost answer) answers 200 with the
        /// check-in the first request made, never a second one; a clientId already used for another check-in is a 409.
        /// </summary>
        public Guid? ClientId { get; init; }
    }

    public sealed record BulkCheckInRequest
    {
        [Required, MinLength(1), MaxLength(1000)]
        public long[]? PersonIds { get; init; }

        /// <summary>list, kiosk, api (default) or import.</summary>
        public CheckInMethod? Method { get; init; }
    }

    public sealed record BulkCheckInResponse(int Recorded, int AlreadyPresent);

    public sealed record CheckOutRequest
    {
        /// <summary>Required when the check-in has a security code (unless an authorizedPickupId is given); it must be the same code.</summary>
        [StringLength(8)]
        public string? SecurityCode { get; init; }

        /// <summary>The adult who collected the child.</summary>
        [StringLength(200)]
        public string? PickedUpBy { get; init; }

        /// <summary>
        /// Instead of the security code: the id of an authorized pickup of a family the person is a child of (the volunteer
        /// has checked who they are). Their name is recorded as who collected the child.
        /// </summary>
        [Range(1, long.MaxValue)]
        public long? AuthorizedPickupId { get; init; }
    }

    public sealed record AttendanceResponse(
        long ServiceId, long PersonId, DateOnly ServiceDate, DateTimeOffset CheckedInAt, DateTimeOffset? CheckedOutAt,
        string? SecurityCode, CheckInMethod Method, string? PickedUpBy, Guid? ClientId)
    {
        public static AttendanceResponse From(AttendanceRecord r) =>
            new(r.ServiceId, r.PersonId, r.ServiceDate, r.CheckedInAt, r.CheckedOutAt, r.SecurityCode, r.Method, r.PickedUpBy, r.ClientId);
    }

    /// <summary>201 with the new check-in; 200 with the earlier one when the clientId was sent before (a retry).</summary>
    private static async Task<Results<Created<AttendanceResponse>, Ok<AttendanceResponse>, ProblemHttpResult, ValidationProblem>> CheckInAsync(
        long serviceId, CheckInRequest request, ShepherdDbContext db, CallerScope scope, TimeProvider clock, ClaimsPrincipal user, CancellationToken ct)
    {
        var command = new CheckInCommand(serviceId, request.PersonId!.Value, request.SecurityCode, request.Method ?? CheckInMethod.Api, request.ClientId);
        return await CheckInRecorder.RecordAsync(db, scope, clock, user, command, ct) switch
        {
            CheckInOutcome.Recorded { Repeated: true } repeat => TypedResults.Ok(AttendanceResponse.From(repeat.Record)),
            CheckInOutcome.Recorded made => TypedResults.Created($"/api/v1/services/{serviceId}/attendance/{made.Record.PersonId}", AttendanceResponse.From(made.Record)),
            CheckInOutcome.ServiceMissing => ApiResults.NotFound("Service", serviceId),
            CheckInOutcome.AlreadyCheckedIn already => ApiResults.Conflict(already.Detail),
            CheckInOutcome.ClientIdTaken taken => ApiResults.Conflict(taken.Detail),
            CheckInOutcome.Invalid invalid => ApiResults.Invalid(invalid.Field, invalid.Message),
            var other => throw new InvalidOperationException($"Unexpected check-in outcome {other}."),
        };
    }

    /// <summary>
    /// Marks a list of people present in one transaction; people already checked in are counted, not refused.
    /// No security codes are generated here: children who need labels are checked in one by one.
    /// </summary>
    private static async Task<Results<Ok<BulkCheckInResponse>, ProblemHttpResult, ValidationProblem>> BulkCheckInAsync(
        long serviceId, BulkCheckInRequest request, ShepherdDbContext db, CallerScope scope, TimeProvider clock, ClaimsPrincipal user,
        CancellationToken ct)
    {
        var service = await db.Services.AsNoTracking().Where(s => s.Id == serviceId).Select(s => new { s.Date }).FirstOrDefaultAsync(ct);
        if (service is null)
        {
            return ApiResults.NotFound("Service", serviceId);
        }
        var ids = request.PersonIds!;
        var repeated = ids.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (repeated.Count > 0)
        {
            return ApiResults.Invalid("personIds", $"Each person may be listed once; repeated: {Join(repeated)}.");
        }
        var known = await scope.People(db.People).Where(p => ids.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct);
        var unknown = ids.Except(known).ToList();
        if (unknown.Count > 0)
        {
            return ApiResults.Invalid("personIds", $"There are no people with these ids in your organization: {Join(unknown)}. Nothing was recorded.");
        }
        var present = await db.Attendance.Where(a => a.ServiceId == serviceId && ids.Contains(a.PersonId)).Select(a => a.PersonId).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var userId = user.UserId();
        var method = request.Method ?? CheckInMethod.Api;
        foreach (var personId in ids.Except(present))
        {
            db.Attendance.Add(new AttendanceRecord
            {
                ServiceId = serviceId,
                PersonId = personId,
                ServiceDate = service.Date,
                CheckedInAt = now,
                CheckedInByUserId = userId,
                Method = method,
            });
        }
        // One SaveChanges is one transaction (with its audit rows): all are recorded or none.
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new BulkCheckInResponse(ids.Length - present.Count, present.Count));
    }

    private static async Task<Results<Ok<AttendanceResponse>, ProblemHttpResult, ValidationProblem>> CheckOutAsync(
        long serviceId, long personId, CheckOutRequest? request, ShepherdDbContext db, CallerScope scope, TimeProvider clock, ClaimsPrincipal user,
        CancellationToken ct)
    {
        var command = new CheckOutCommand(serviceId, personId, request?.SecurityCode, request?.AuthorizedPickupId, request?.PickedUpBy);
        switch (await CheckOutRecorder.ApplyAsync(db, scope, clock, user, command, ct))
        {
            case CheckOutOutcome.CheckedOut done:
                await db.SaveChangesAsync(ct);
                return TypedResults.Ok(AttendanceResponse.From(done.Record));
            case CheckOutOutcome.NotFound { ServiceMissing: true }:
                return ApiResults.NotFound("Service", serviceId);
            case CheckOutOutcome.NotFound:
                return NotCheckedIn(serviceId, personId);
            case CheckOutOutcome.AlreadyCheckedOut already:
                return ApiResults.Conflict(already.Detail);
            case CheckOutOutcome.Invalid invalid:
                return ApiResults.Invalid(invalid.Field, invalid.Message);
            case var other:
                throw new InvalidOperationException($"Unexpected check-out outcome {other}.");
        }
    }

    /// <summary>Removes a record entered by mistake (wrong person or wrong service).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        long serviceId, long personId, ShepherdDbContext db, CallerScope scope, CancellationToken ct)
    {
        var record = await scope.Attendance(db.Attendance).FirstOrDefaultAsync(a => a.ServiceId == serviceId && a.PersonId == personId, ct);
        if (record is null)
        {
            return await MissingAsync(serviceId, personId, db, ct);
        }
        db.Attendance.Remove(record);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Says which is missing: the service, or the person's check-in to it.</summary>
    private static async Task<ProblemHttpResult> MissingAsync(long serviceId, long personId, ShepherdDbContext db, CancellationToken ct) =>
        await db.Services.AnyAsync(s => s.Id == serviceId, ct) ? NotCheckedIn(serviceId, personId) : ApiResults.NotFound("Service", serviceId);

    private static ProblemHttpResult NotCheckedIn(long serviceId, long personId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Attendance record not found",
            detail: $"Person {personId} is not checked in to service {serviceId}.");

    private static string Join(IEnumerable<long> ids) => string.Join(", ", ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));
}
