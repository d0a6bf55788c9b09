using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Tenancy;
using Shepherd.Platform.Accounts;

namespace Shepherd.Platform.Api;

/// <summary>
/// POST /{id}/archive and /{id}/restore for a resource that is soft-deleted. Both are idempotent (archiving twice
/// keeps the first time), honour If-Match, and answer 204 with the new ETag.
/// </summary>
public static class Archiving
{
    public static void MapArchiving<T>(this RouteGroupBuilder resource, string name, Permission permission) where T : class, IArchivable
    {
        resource.MapPost("/{id:long}/archive", (long id, ShepherdDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
                SetAsync<T>(name, id, clock.GetUtcNow(), db, http, ct))
            .RequirePermission(permission);
        resource.MapPost("/{id:long}/restore", (long id, ShepherdDbContext db, HttpContext http, CancellationToken ct) =>
                SetAsync<T>(name, id, null, db, http, ct))
            .RequirePermission(permission);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SetAsync<T>(
        string name, long id, DateTimeOffset? archivedAt, ShepherdDbContext db, HttpContext http, CancellationToken ct)
        where T : class, IArchivable
    {
        var row = await db.Set<T>().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (row is null)
        {
            return ApiResults.NotFound(name, id);
        }
        if (!ETags.Matches(http.Request, row.Version))
        {
            return ApiResults.PreconditionFailed();
        }
        if ((row.ArchivedAt is null) != (archivedAt is null))
        {
            row.ArchivedAt = archivedAt;
            await db.SaveChangesAsync(ct);
        }
        ETags.Set(http, row.Version);
        return TypedResults.NoContent();
    }
}
