using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Badges;
using Shepherd.Features.Notes;
using Shepherd.Platform;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Badges;

/// <summary>
/// Badge types (/api/v1/badge-types) and the badges awarded to people (/api/v1/people/{personId}/badges).
/// A badge type that has been awarded is retired (active: false) rather than deleted, so history stays.
/// </summary>
public static class BadgesApi
{
    public static void MapBadgesApi(this IEndpointRouteBuilder api)
    {
        var types = api.MapGroup("/badge-types").WithTags("Badges");
        types.MapGet("/", ListTypesAsync).RequirePermission(Permission.BadgesRead);
        types.MapGet("/{id:long}", GetTypeAsync).RequirePermission(Permission.BadgesRead);
        types.MapGet("/{id:long}/people", ListHoldersAsync).RequirePermission(Permission.BadgesRead);
        types.MapPost("/", CreateTypeAsync).RequirePermission(Permission.SettingsWrite);
        types.MapPut("/{id:long}", UpdateTypeAsync).RequirePermission(Permission.SettingsWrite);
        types.MapDelete("/{id:long}", DeleteTypeAsync).RequirePermission(Permission.SettingsWrite);

        var awards = api.MapGroup("/people/{personId:long}/badges").WithTags("Badges");
        awards.MapGet("/", ListAwardsAsync).RequirePermission(Permission.BadgesRead);
        awards.MapPost("/", AwardAsync).RequirePermission(Permission.BadgesWrite);
        awards.MapDelete("/{badgeId:long}", RevokeAsync).RequirePermission(Permission.BadgesWrite);
    }

    public sealed record BadgeTypeRequest
    {
        [Required, StringLength(200, MinimumLength = 1)]
        public string? Name { get; init; }

        [StringLength(1000)]
        public string? Description { get; init; }

        /// <summary>CSS hex colour such as #3366cc; #4a6fa5 when left out.</summary>
        [RegularExpression("^#[0-9a-fA-F]{6}$", ErrorMessage = "color must be a hex colour such as #3366cc.")]
        public string? Color { get; init; }

        [StringLength(50)]
        public string? Icon { get; init; }

        public bool? Active { get; init; }
    }

    public sealed record BadgeTypeResponse(
        long Id, string Name, string? Description, string Color, string? Icon, bool Active, int AwardedCount, int Version);

    public sealed record BadgeRequest
    {
        [Required]
        public long? BadgeTypeId { get; init; }

        /// <summary>Today when left out; never in the future.</summary>
        public DateOnly? AwardedOn { get; init; }

        [StringLength(500)]
        public string? Note { get; init; }
    }

    public sealed record BadgeResponse(
        long Id, long PersonId, long BadgeTypeId, string BadgeTypeName, string BadgeTypeColor, string? BadgeTypeIcon,
        DateOnly AwardedOn, long? AwardedByUserId, string? Note);

    /// <summary>A person holding a badge type, with the date of their latest award of it.</summary>
    public sealed record BadgeHolderResponse(long PersonId, string FirstName, string? PreferredName, string LastName, DateOnly AwardedOn);

    private static async Task<Ok<Page<BadgeTypeResponse>>> ListTypesAsync(
        [AsParameters] PageRequest page, bool? active, ShepherdDbContext db, CancellationToken ct)
    {
        var query = db.BadgeTypes.AsNoTracking();
        if (active is { } wanted)
        {
            query = query.Where(t => t.Active == wanted);
        }
        var total = await query.CountAsync(ct);
        var items = await ToResponses(query.OrderBy(t => t.Name).ThenBy(t => t.Id).Skip(page.Skip).Take(page.Size), db).ToListAsync(ct);
        return TypedResults.Ok(new Page<BadgeTypeResponse>(items, page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<BadgeTypeResponse>, ProblemHttpResult>> GetTypeAsync(
        long id, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var type = await ToResponses(db.BadgeTypes.AsNoTracking().Where(t => t.Id == id), db).FirstOrDefaultAsync(ct);
        if (type is null)
        {
            return ApiResults.NotFound("Badge type", id);
        }
        ETags.Set(http, type.Version);
        return TypedResults.Ok(type);
    }

    private static async Task<Results<Created<BadgeTypeResponse>, ProblemHttpResult>> CreateTypeAsync(
        BadgeTypeRequest request, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var name = request.Name!.Trim();
        if (await db.BadgeTypes.AnyAsync(t => t.Name == name, ct))
        {
            return DuplicateName(name);
        }
        var type = new BadgeType { Name = name, Active = request.Active ?? true };
        Apply(request, type);
        db.BadgeTypes.Add(type);
        await db.SaveChangesAsync(ct);
        ETags.Set(http, type.Version);
        return TypedResults.Created($"/api/v1/badge-types/{type.Id}", ToResponse(type, awardedCount: 0));
    }

    private static async Task<Results<Ok<BadgeTypeResponse>, ProblemHttpResult>> UpdateTypeAsync(
        long id, BadgeTypeRequest request, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var type = await db.BadgeTypes.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (type is null)
        {
            return ApiResults.NotFound("Badge type", id);
        }
        if (!ETags.Matches(http.Request, type.Version))
        {
            return ApiResults.PreconditionFailed();
        }
        var name = request.Name!.Trim();
        if (await db.BadgeTypes.AnyAsync(t => t.Name == name && t.Id != id, ct))
        {
            return DuplicateName(name);
        }
        type.Name = name;
        type.Active = request.Active ?? type.Active;
        Apply(request, type);
        await db.SaveChangesAsync(ct);
        ETags.Set(http, type.Version);
        var awarded = await db.Badges.CountAsync(b => b.BadgeTypeId == id, ct);
        return TypedResults.Ok(ToResponse(type, awarded));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteTypeAsync(long id, ShepherdDbContext db, CancellationToken ct)
    {
        var type = await db.BadgeTypes.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (type is null)
        {
            return ApiResults.NotFound("Badge type", id);
        }
        if (await db.Badges.AnyAsync(b => b.BadgeTypeId == id, ct))
        {
            return ApiResults.Conflict($"'{type.Name}' has been awarded to people. Retire it with \"active\": false instead of deleting it.");
        }
        db.BadgeTypes.Remove(type);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<Page<BadgeHolderResponse>>, ProblemHttpResult>> ListHoldersAsync(
        long id, [AsParameters] PageRequest page, ShepherdDbContext db, CallerScope scope, CancellationToken ct)
    {
        if (!await db.BadgeTypes.AnyAsync(t => t.Id == id, ct))
        {
            return ApiResults.NotFound("Badge type", id);
        }
        var holders = BadgeHolders.Of(db, scope, id).AsNoTracking();
        var total = await holders.CountAsync(ct);
        var people = await holders.OrderBy(p => p.LastName).ThenBy(p => p.FirstName).ThenBy(p => p.Id)
            .Skip(page.Skip).Take(page.Size)
            .Select(p => new { p.Id, p.FirstName, p.PreferredName, p.LastName })
            .ToListAsync(ct);
        // One query for the award dates of the whole page (a person may hold a badge type more than once, e.g. renewals).
        var ids = people.Select(p => p.Id).ToList();
        var awards = await db.Badges.AsNoTracking()
            .Where(b => b.BadgeTypeId == id && ids.Contains(b.PersonId))
            .Select(b => new { b.PersonId, b.AwardedOn })
            .ToListAsync(ct);
        var latest = awards.GroupBy(a => a.PersonId).ToDictionary(g => g.Key, g => g.Max(a => a.AwardedOn));
        var items = people.Select(p => new BadgeHolderResponse(p.Id, p.FirstName, p.PreferredName, p.LastName, latest[p.Id])).ToList();
        return TypedResults.Ok(new Page<BadgeHolderResponse>(items, page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<Page<BadgeResponse>>, ProblemHttpResult>> ListAwardsAsync(
        long personId, [AsParameters] PageRequest page, ShepherdDbContext db, CallerScope scope, CancellationToken ct)
    {
        if (!await scope.People(db.People).AnyAsync(p => p.Id == personId, ct))
        {
            return ApiResults.NotFound("Person", personId);
        }
        var query = db.Badges.AsNoTracking().Where(b => b.PersonId == personId);
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(b => b.AwardedOn).ThenByDescending(b => b.Id)
            .Skip(page.Skip).Take(page.Size)
            .Select(b => new BadgeResponse(b.Id, b.PersonId, b.BadgeTypeId, b.BadgeType!.Name, b.BadgeType.Color, b.BadgeType.Icon,
                b.AwardedOn, b.AwardedByUserId, b.Note))
            .ToListAsync(ct);
        return TypedResults.Ok(new Page<BadgeResponse>(items, page.Number, page.Size, total));
    }

    private static async Task<Results<Created<BadgeResponse>, ValidationProblem, ProblemHttpResult>> AwardAsync(
        long personId, BadgeRequest request, ShepherdDbContext db, ClaimsPrincipal user, TimeProvider clock, CancellationToken ct)
    {
        var result = await BadgeAwards.AwardAsync(db, personId, request, user, clock, ct);
        if (result.Outcome != AwardOutcome.Done)
        {
            return result.Outcome == AwardOutcome.Invalid ? ApiResults.Invalid(result.Field!, result.Error!) : ApiResults.NotFound("Person", personId);
        }
        var (badge, type) = (result.Badge!, result.Type!);
        return TypedResults.Created($"/api/v1/people/{personId}/badges/{badge.Id}",
            new BadgeResponse(badge.Id, personId, type.Id, type.Name, type.Color, type.Icon, badge.AwardedOn, badge.AwardedByUserId, badge.Note));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(long personId, long badgeId, ShepherdDbContext db, CancellationToken ct) =>
        await BadgeAwards.RevokeAsync(db, personId, badgeId, ct) ? TypedResults.NoContent() : ApiResults.NotFound("Badge", badgeId);

    private static void Apply(BadgeTypeRequest request, BadgeType type)
    {
        type.Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim();
        type.Color = request.Color?.ToLowerInvariant() ?? type.Color;
        type.Icon = string.IsNullOrWhiteSpace(request.Icon) ? null : request.Icon.Trim();
    }

    private static IQueryable<BadgeTypeResponse> ToResponses(IQueryable<BadgeType> types, ShepherdDbContext db) =>
        types.Select(t => new BadgeTypeResponse(t.Id, t.Name, t.Description, t.Color, t.Icon, t.Active,
            db.Badges.Count(b => b.BadgeTypeId == t.Id), t.Version));

    private static BadgeTypeResponse ToResponse(BadgeType t, int awardedCount) =>
        new(t.Id, t.Name, t.Description, t.Color, t.Icon, t.Active, awardedCount, t.Version);

    private static ProblemHttpResult DuplicateName(string name) => ApiResults.Conflict($"A badge type named '{name}' already exists.");
}
