using System.Net;
using System.Text.Json;
using Shepherd.Data;
using Shepherd.Data.Audit;

namespace Shepherd.Platform.Accounts;

/// <summary>
/// Writes the audit entries that are not data changes: sign-ins and failed sign-ins, lockouts, role and token changes,
/// exports and erasures. Data changes are written by <c>ShepherdDbContext.SaveChangesAsync</c> on its own.
/// </summary>
public sealed class AuditLog(ShepherdDbContextFactory contexts, TimeProvider clock)
{
    /// <summary>Records one event in its own unit of work, for callers outside a request's context (sign-in).</summary>
    /// <param name="details">Serialized to JSON into <see cref="AuditEntry.Changes"/>; never put secrets or exported data in it.</param>
    public async Task RecordAsync(long organizationId, AuditAction action, string entityType, string entityId, object? details,
        AuditActor actor, string? ipAddress, CancellationToken cancellationToken = default)
    {
        await using var db = contexts.Create(organizationId, actor);
        db.AuditEntries.Add(Entry(organizationId, action, entityType, entityId, details, actor, ipAddress, clock.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Adds an event to <paramref name="db"/> without saving, so it commits with the caller's own changes (an erasure
    /// and its audit entry are one transaction). The actor and IP are the context's.
    /// </summary>
    public static void Add(ShepherdDbContext db, AuditAction action, string entityType, string entityId, object? details) =>
        db.AuditEntries.Add(Entry(db.OrganizationId ?? throw new InvalidOperationException("An audit entry needs an organization in scope."),
            action, entityType, entityId, details, db.Actor, db.Actor.IpAddress, db.Clock.GetUtcNow()));

    /// <summary>The client's address as the connection reports it (after forwarded-headers handling), IPv4 written as IPv4.</summary>
    public static string? ClientIp(HttpContext context) => context.Connection.RemoteIpAddress switch
    {
        null => null,
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        IPAddress address => address.ToString(),
    };

    private static AuditEntry Entry(long organizationId, AuditAction action, string entityType, string entityId, object? details,
        AuditActor actor, string? ipAddress, DateTimeOffset at) => new()
        {
            OrganizationId = organizationId,
            At = at,
            ActorUserId = actor.UserId,
            Actor = actor.Name,
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            Changes = details is null ? null : JsonSerializer.Serialize(details, JsonOptions),
            IpAddress = ipAddress,
        };

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
