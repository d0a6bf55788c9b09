using System.Globalization;
using System.Text.Json;
using Shepherd.Data;
using Shepherd.Data.Audit;

namespace Shepherd.Features.Members;

/// <summary>
/// The account events of the members API (invited, role changed, removed), added to the request's context so they are
/// saved with the change itself. The row-level Created/Updated/Deleted entries are written by the context as always;
/// these name what happened in the words an administrator looks for.
/// </summary>
internal static class MemberAudit
{
    public static void Add(ShepherdDbContext db, HttpContext http, AuditAction action, string entityType, long entityId, object? changes, TimeProvider clock) =>
        db.AuditEntries.Add(new AuditEntry
        {
            OrganizationId = db.OrganizationId ?? throw new InvalidOperationException("No organization in scope."),
            At = clock.GetUtcNow(),
            ActorUserId = db.Actor.UserId,
            Actor = db.Actor.Name,
            Action = action,
            EntityType = entityType,
            EntityId = entityId.ToString(CultureInfo.InvariantCulture),
            Changes = changes is null ? null : JsonSerializer.Serialize(changes),
            IpAddress = http.Connection.RemoteIpAddress?.ToString(),
        });
}
