using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Organizations;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Campuses;

/// <summary>Campuses: the places an organization meets. /api/v1/campuses</summary>
public static class CampusesApi
{
    public static void MapCampusesApi(this IEndpointRouteBuilder api)
    {
        var campuses = api.MapGroup("/campuses").WithTags("Campuses");
        campuses.MapGet("/", ListAsync).RequirePermission(Permission.ServicesRead);
        campuses.MapGet("/{id:long}", GetAsync).RequirePermission(Permission.ServicesRead);
        campuses.MapPost("/", CreateAsync).RequirePermission(Permission.SettingsWrite);
        campuses.MapPut("/{id:long}", UpdateAsync).RequirePermission(Permission.SettingsWrite);
        campuses.MapDelete("/{id:long}", DeleteAsync).RequirePermission(Permission.SettingsWrite);
    }

    public sealed record CampusRequest
    {
        [Required, StringLength(100, MinimumLength = 1)]
        public string? Name { get; init; }

        public AddressDto? Address { get; init; }

        public bool? Active { get; init; }
    }

    public sealed record CampusResponse(long Id, string Name, AddressDto Address, bool Active, int Version)
    {
        public static CampusResponse From(Campus c) => new(c.Id, c.Name, AddressDto.From(c.Address), c.Active, c.Version);
    }

    private static async Task<Ok<Page<CampusResponse>>> ListAsync([AsParameters] PageRequest page, ShepherdDbContext db, CancellationToken ct)
    {
        var query = db.Campuses.AsNoTracking();
        var total = await query.CountAsync(ct);
        var items = await query.OrderBy(c => c.Name).ThenBy(c => c.Id).Skip(page.Skip).Take(page.Size).ToListAsync(ct);
        return TypedResults.Ok(new Page<CampusResponse>([.. items.Select(CampusResponse.From)], page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<CampusResponse>, ProblemHttpResult>> GetAsync(long id, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var campus = await db.Campuses.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (campus is null)
        {
            return ApiResults.NotFound("Campus", id);
        }
        ETags.Set(http, campus.Version);
        return TypedResults.Ok(CampusResponse.From(campus));
    }

    private static async Task<Results<Created<CampusResponse>, ProblemHttpResult>> CreateAsync(CampusRequest request, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var name = request.Name!.Trim();
        if (await db.Campuses.AnyAsync(c => c.Name == name, ct))
        {
            return ApiResults.Conflict($"A campus named '{name}' already exists.");
        }
        var campus = new Campus { Name = name, Address = request.Address?.ToAddress() ?? new(), Active = request.Active ?? true };
        db.Campuses.Add(campus);
        await db.SaveChangesAsync(ct);
        ETags.Set(http, campus.Version);
        return TypedResults.Created($"/api/v1/campuses/{campus.Id}", CampusResponse.From(campus));
    }

    private static async Task<Results<Ok<CampusResponse>, ProblemHttpResult>> UpdateAsync(
        long id, CampusRequest request, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var campus = await db.Campuses.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (campus is null)
        {
            return ApiResults.NotFound("Campus", id);
        }
        if (!ETags.Matches(http.Request, campus.Version))
        {
            return ApiResults.PreconditionFailed();
        }
        var name = request.Name!.Trim();
        if (await db.Campuses.AnyAsync(c => c.Name == name && c.Id != id, ct))
        {
            return ApiResults.Conflict($"A campus named '{name}' already exists.");
        }
        campus.Name = name;
        campus.Address = request.Address?.ToAddress() ?? new();
        campus.Active = request.Active ?? campus.Active;
        await db.SaveChangesAsync(ct);
        ETags.Set(http, campus.Version);
        return TypedResults.Ok(CampusResponse.From(campus));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, ShepherdDbContext db, CancellationToken ct)
    {
        var campus = await db.Campuses.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (campus is null)
        {
            return ApiResults.NotFound("Campus", id);
        }
        var inUse = await db.Services.AnyAsync(s => s.CampusId == id, ct)
            || await db.People.AnyAsync(p => p.CampusId == id, ct)
            || await db.Families.AnyAsync(f => f.CampusId == id, ct)
            || await db.Groups.AnyAsync(g => g.CampusId == id, ct);
        if (inUse)
        {
            return ApiResults.Conflict("This campus still has services, people, families or groups. Move them or mark the campus inactive instead.");
        }
        db.Campuses.Remove(campus);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
