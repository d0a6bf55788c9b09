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
    /// <param name="reach">Narrows the rows to those the caller may reach (<see cref="CallerScope"/>); others answer 404.</param>
    public static void MapArchiving<T>(this RouteGroupBuilder resource, string name, Permission permission,
        Func<CallerScope, IQueryable<T>, IQueryable<T>>? reach = null) where T : class, IArchivable
    {
        reach ??= (_, rows) => rows;
        resource.MapPost("/{id:long}/archive", (long id, ShepherdDbContext db, CallerScope scope, TimeProvider clock, HttpContext http, CancellationToken ct) =>
                SetAsync(name, id, clock.GetUtcNow(), db, reach(scope, db.Set<T>()), http, ct))
            .RequirePermission(permission);
        resource.MapPost("/{id:long}/restore", (long id, ShepherdDbContext db, CallerScope scope, HttpContext http, CancellationToken ct) =>
                SetAsync(name, id, null, db, reach(scope, db.Set<T>()), http, ct))
            .RequirePermission(permission);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SetAsync<T>(
        string name, long id, DateTimeOffset? archivedAt, ShepherdDbContext db, IQueryable<T> rows, HttpContext http, CancellationToken ct)
        where T : class, IArchivable
    {
        var row = await rows.FirstOrDefaultAsync(r => r.Id == id, ct);
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
