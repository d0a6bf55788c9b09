using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Attendance;
using Shepherd.Features.Attendance;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.CheckIn;

/// <summary>
/// /checkin, the child check-in kiosk. The page is the kiosk's frame (today's services to choose from, the screens the
/// script fills in); wwwroot/js/kiosk.js runs it and keeps working offline. The script talks to three handlers:
/// <c>?handler=families</c> (the family search, with who is already checked in), <c>POST ?handler=checkin</c> (one check-in,
/// through the same <see cref="CheckInRecorder"/> as the API, the antiforgery token in the RequestVerificationToken
/// header) and <c>?handler=counts</c> (live room counts).
/// </summary>
[RequirePermission(Permission.CheckIn)]
public sealed class CheckInPageModel(ShepherdDbContext db, TimeProvider clock) : PageModel
{
    public const string Path = "/checkin";

    /// <summary>More rooms than a kiosk could sensibly serve at once.</summary>
    public const int MaxServices = 20;

    public KioskDay Day { get; private set; } = new(default, []);

    public bool CanSearch => User.Has(Permission.CheckInSearch);

    public long OrganizationId => db.OrganizationId ?? 0;

    public async Task OnGetAsync(CancellationToken ct) => Day = await KioskDay.TodayAsync(db, clock, ct);

    /// <summary>Families for the search box, each person with the check-ins they already have in the kiosk's services.</summary>
    public async Task<IActionResult> OnGetFamiliesAsync(string? q, [FromQuery(Name = "service")] long[]? services, CancellationToken ct)
    {
        if (!CanSearch)
        {
            return Forbid();
        }
        if (ServicesProblem(services) is { } problem)
        {
            return problem;
        }
        if (await KioskFamilySearch.FindAsync(q, db, clock, ct) is not { } families)
        {
            return KioskJson.Invalid("q", KioskFamilySearch.Rule);
        }
        var serviceIds = services ?? [];
        var personIds = families.SelectMany(f => f.Members).Select(m => m.PersonId).Distinct().ToList();
        var present = serviceIds.Length == 0 || personIds.Count == 0 ? [] : await db.Attendance.AsNoTracking()
            .Where(a => serviceIds.Contains(a.ServiceId) && personIds.Contains(a.PersonId))
            .Select(a => new { a.PersonId, a.ServiceId, CheckedOut = a.CheckedOutAt != null })
            .ToListAsync(ct);
        var byPerson = present.ToLookup(p => p.PersonId);
        return KioskJson.Ok(families.Select(f => new
        {
            f.Id,
            f.Name,
            Members = f.Members.Select(m => new
            {
                m.PersonId,
                m.FirstName,
                m.LastName,
                m.Role,
                m.Age,
                m.MedicalNote,
                CheckIns = byPerson[m.PersonId].Select(p => new { p.ServiceId, p.CheckedOut }),
            }),
            f.Pickups,
        }));
    }

    /// <summary>One check-in from the kiosk (online at once, or later from its offline queue): 201 new, 200 a repeat of its clientId.</summary>
    public async Task<IActionResult> OnPostCheckInAsync(CancellationToken ct)
    {
        var (request, problem) = await KioskJson.ReadAsync<KioskCheckInRequest>(Request, ct);
        if (problem is not null)
        {
            return problem;
        }
        var command = new CheckInCommand(request!.ServiceId!.Value, request.PersonId!.Value, request.SecurityCode, CheckInMethod.Kiosk, request.ClientId);
        return await CheckInRecorder.RecordAsync(db, CallerScope.For(User, db), clock, User, command, ct) switch
        {
            CheckInOutcome.Recorded made => KioskJson.Ok(KioskCheckInResponse.From(made), made.Repeated ? StatusCodes.Status200OK : StatusCodes.Status201Created),
            CheckInOutcome.ServiceMissing => KioskJson.Problem(StatusCodes.Status404NotFound, "Service not found",
                $"There is no service with id {request.ServiceId.Value.ToString(CultureInfo.InvariantCulture)} in your organization."),
            CheckInOutcome.AlreadyCheckedIn already => KioskJson.Problem(StatusCodes.Status409Conflict, "Already checked in", already.Detail),
            CheckInOutcome.ClientIdTaken taken => KioskJson.Problem(StatusCodes.Status409Conflict, "Conflict", taken.Detail),
            CheckInOutcome.Invalid invalid => KioskJson.Invalid(invalid.Field, invalid.Message),
            var other => throw new InvalidOperationException($"Unexpected check-in outcome {other}."),
        };
    }

    /// <summary>Checked in, checked out and present now, per service asked for.</summary>
    public async Task<IActionResult> OnGetCountsAsync([FromQuery(Name = "service")] long[]? services, CancellationToken ct)
    {
        if (ServicesProblem(services) is { } problem)
        {
            return problem;
        }
        var counts = await RoomCounts.ForAsync(services ?? [], db, ct);
        return KioskJson.Ok(counts.Select(c => new { c.ServiceId, c.CheckedIn, c.CheckedOut, c.Present }));
    }

    private JsonResult? ServicesProblem(long[]? services) =>
        !ModelState.IsValid ? KioskJson.Invalid("service", "Each service must be a service id (a whole number).")
        : services is { Length: > MaxServices } ? KioskJson.Invalid("service", $"Ask for at most {MaxServices} services at once.")
        : null;

    public sealed record KioskCheckInRequest
    {
        [Required, Range(1, long.MaxValue)]
        public long? ServiceId { get; init; }

        [Required, Range(1, long.MaxValue)]
        public long? PersonId { get; init; }

        /// <summary>Made by the kiosk before it sends anything, so a retry is recognised as the same check-in.</summary>
        [Required]
        public Guid? ClientId { get; init; }

        /// <summary>The code the kiosk printed; left out for an adult (a child then gets one made by the server).</summary>
        [RegularExpression(SecurityCodes.Pattern, ErrorMessage = "securityCode must be 3 to 8 letters or digits.")]
        public string? SecurityCode { get; init; }
    }

    public sealed record KioskCheckInResponse(Guid? ClientId, long ServiceId, long PersonId, string? SecurityCode, DateTimeOffset CheckedInAt, bool Repeated)
    {
        public static KioskCheckInResponse From(CheckInOutcome.Recorded made) =>
            new(made.Record.ClientId, made.Record.ServiceId, made.Record.PersonId, made.Record.SecurityCode, made.Record.CheckedInAt, made.Repeated);
    }
}
