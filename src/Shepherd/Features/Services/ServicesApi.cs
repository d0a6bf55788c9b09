using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Services;
using Shepherd.Platform;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Services;

/// <summary>Services: dated worship services and events at a campus, which attendance is recorded against. /api/v1/services</summary>
public static class ServicesApi
{
    public static void MapServicesApi(this IEndpointRouteBuilder api)
    {
        var services = api.MapGroup("/services").WithTags("Services");
        services.MapGet("/", ListAsync).RequirePermission(Permission.ServicesRead);
        services.MapGet("/{id:long}", GetAsync).RequirePermission(Permission.ServicesRead);
        services.MapPost("/", CreateAsync).RequirePermission(Permission.ServicesWrite);
        services.MapPut("/{id:long}", UpdateAsync).RequirePermission(Permission.ServicesWrite);
        // A service-wide number, not one group's: staff set it (a group leader records their people by name).
        services.MapPut("/{id:long}/headcount", SetHeadcountAsync).RequirePermission(Permission.ServicesWrite);
        services.MapDelete("/{id:long}", DeleteAsync).RequirePermission(Permission.ServicesWrite);
    }

    public sealed record ServiceRequest
    {
        [Required, Range(1, long.MaxValue)]
        public long? CampusId { get; init; }

        [Required, StringLength(200, MinimumLength = 1)]
        public string? Name { get; init; }

        /// <summary>worship (default), kids, youth, event, class or other.</summary>
        public ServiceKind? Kind { get; init; }

        [Required]
        public DateTimeOffset? StartsAt { get; init; }

        public DateTimeOffset? EndsAt { get; init; }

        /// <summary>People counted but not checked in by name.</summary>
        [Range(0, 1_000_000)]
        public int? Headcount { get; init; }

        [StringLength(2000)]
        public string? Notes { get; init; }
    }

    public sealed record HeadcountRequest
    {
        [Required, Range(0, 1_000_000)]
        public int? Headcount { get; init; }
    }

    /// <summary>A service; <c>AttendanceCount</c> is the people checked in by name, <c>Headcount</c> those only counted.</summary>
    public sealed record ServiceResponse(
        long Id, long CampusId, string Name, ServiceKind Kind, DateTimeOffset StartsAt, DateTimeOffset? EndsAt, DateOnly Date,
        int? Headcount, string? Notes, int AttendanceCount, int Version)
    {
        public static ServiceResponse From(Service s, int attendanceCount) =>
            new(s.Id, s.CampusId, s.Name, s.Kind, s.StartsAt, s.EndsAt, s.Date, s.Headcount, s.Notes, attendanceCount, s.Version);
    }

    public sealed record ServiceListQuery
    {
        public long? CampusId { get; init; }

        /// <summary>worship, kids, youth, event, class or other.</summary>
        public string? Kind { get; init; }

        /// <summary>First service date included (the organization's calendar date).</summary>
        public DateOnly? From { get; init; }

        /// <summary>Last service date included.</summary>
        public DateOnly? To { get; init; }

        /// <summary>-startsAt (default, newest first) or startsAt (oldest first).</summary>
        public string? Sort { get; init; }
    }

    private static async Task<Results<Ok<Page<ServiceResponse>>, ValidationProblem>> ListAsync(
        [AsParameters] ServiceListQuery filter, [AsParameters] PageRequest page, ShepherdDbContext db, CancellationToken ct)
    {
        var query = db.Services.AsNoTracking();
        if (filter.Kind is not null)
        {
            if (!QueryEnums.TryParse<ServiceKind>(filter.Kind, out var kind))
            {
                return QueryEnums.Unknown<ServiceKind>("kind", filter.Kind);
            }
            query = query.Where(s => s.Kind == kind);
        }
        if (filter.From > filter.To)
        {
            return ApiResults.Invalid("from", "from must not be after to.");
        }
        if (filter.CampusId is { } campusId)
        {
            query = query.Where(s => s.CampusId == campusId);
        }
        if (filter.From is { } from)
        {
            query = query.Where(s => s.Date >= from);
        }
        if (filter.To is { } to)
        {
            query = query.Where(s => s.Date <= to);
        }
        bool? newestFirst = filter.Sort switch
        {
            null or "" or "-startsAt" => true,
            "startsAt" => false,
            _ => null,
        };
        if (newestFirst is null)
        {
            return ApiResults.Invalid("sort", "sort must be startsAt (oldest first) or -startsAt (newest first).");
        }
        query = newestFirst.Value
            ? query.OrderByDescending(s => s.StartsAt).ThenByDescending(s => s.Id)
            : query.OrderBy(s => s.StartsAt).ThenBy(s => s.Id);

        var total = await query.CountAsync(ct);
        var rows = await query.Skip(page.Skip).Take(page.Size)
            .Select(s => new { Service = s, Count = db.Attendance.Count(a => a.ServiceId == s.Id) })
            .ToListAsync(ct);
        return TypedResults.Ok(new Page<ServiceResponse>([.. rows.Select(r => ServiceResponse.From(r.Service, r.Count))], page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<ServiceResponse>, ProblemHttpResult>> GetAsync(long id, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var service = await db.Services.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct);
        if (service is null)
        {
            return ApiResults.NotFound("Service", id);
        }
        ETags.Set(http, service.Version);
        return TypedResults.Ok(ServiceResponse.From(service, await db.Attendance.CountAsync(a => a.ServiceId == id, ct)));
    }

    private static async Task<Results<Created<ServiceResponse>, ValidationProblem>> CreateAsync(
        ServiceRequest request, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        if (await ValidateAsync(request, db, ct) is { } invalid)
        {
            return invalid;
        }
        var service = new Service { Name = request.Name!.Trim() };
        Apply(service, request, await OrganizationCalendar.TimeZoneOfAsync(db, ct));
        db.Services.Add(service);
        await db.SaveChangesAsync(ct);
        ETags.Set(http, service.Version);
        return TypedResults.Created($"/api/v1/services/{service.Id}", ServiceResponse.From(service, 0));
    }

    private static async Task<Results<Ok<ServiceResponse>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        long id, ServiceRequest request, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var service = await db.Services.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (service is null)
        {
            return ApiResults.NotFound("Service", id);
        }
        if (!ETags.Matches(http.Request, service.Version))
        {
            return ApiResults.PreconditionFailed();
        }
        if (await ValidateAsync(request, db, ct) is { } invalid)
        {
            return invalid;
        }
        Apply(service, request, await OrganizationCalendar.TimeZoneOfAsync(db, ct));

        // Attendance rows carry a copy of the service date; a moved service moves them in the same transaction.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        var date = service.Date;
        await db.Attendance.Where(a => a.ServiceId == id && a.ServiceDate != date)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ServiceDate, date), ct);
        await transaction.CommitAsync(ct);

        ETags.Set(http, service.Version);
        return TypedResults.Ok(ServiceResponse.From(service, await db.Attendance.CountAsync(a => a.ServiceId == id, ct)));
    }

    private static async Task<Results<Ok<ServiceResponse>, ProblemHttpResult>> SetHeadcountAsync(
        long id, HeadcountRequest request, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var service = await db.Services.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (service is null)
        {
            return ApiResults.NotFound("Service", id);
        }
        if (!ETags.Matches(http.Request, service.Version))
        {
            return ApiResults.PreconditionFailed();
        }
        service.Headcount = request.Headcount;
        await db.SaveChangesAsync(ct);
        ETags.Set(http, service.Version);
        return TypedResults.Ok(ServiceResponse.From(service, await db.Attendance.CountAsync(a => a.ServiceId == id, ct)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, ShepherdDbContext db, CancellationToken ct)
    {
        var service = await db.Services.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (service is null)
        {
            return ApiResults.NotFound("Service", id);
        }
        if (await db.Attendance.AnyAsync(a => a.ServiceId == id, ct))
        {
            return ApiResults.Conflict("This service has attendance records. Remove them first if the service was entered by mistake.");
        }
        db.Services.Remove(service);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<ValidationProblem?> ValidateAsync(ServiceRequest request, ShepherdDbContext db, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return ApiResults.Invalid("name", "The name must not be blank.");
        }
        if (request.EndsAt is { } endsAt && endsAt <= request.StartsAt!.Value)
        {
            return ApiResults.Invalid("endsAt", "endsAt must be after startsAt.");
        }
        var campusId = request.CampusId!.Value;
        if (!await db.Campuses.AnyAsync(c => c.Id == campusId, ct))
        {
            return ApiResults.Invalid("campusId", $"There is no campus with id {campusId} in your organization.");
        }
        return null;
    }

    private static void Apply(Service service, ServiceRequest request, TimeZoneInfo zone)
    {
        service.CampusId = request.CampusId!.Value;
        service.Name = request.Name!.Trim();
        service.Kind = request.Kind ?? ServiceKind.Worship;
        service.StartsAt = request.StartsAt!.Value.ToUniversalTime();
        service.EndsAt = request.EndsAt?.ToUniversalTime();
        service.Date = OrganizationCalendar.DateOf(service.StartsAt, zone);
        service.Headcount = request.Headcount;
        service.Notes = string.IsNullOrWhiteSpace(request.Notes) ? null : request.Notes.Trim();
    }
}
