using Shepherd.Data.Tenancy;

namespace Shepherd.Data.Audit;

/// <summary>
/// Data changes (created, updated, deleted) are written by SaveChanges; the rest are account and security events written
/// by the code that handles them.
/// </summary>
public enum AuditAction
{
    Created, Updated, Deleted,
    SignedIn, SignInFailed, SignedOut, LockedOut, PasswordChanged, PasswordReset, TwoFactorChanged,
    RoleChanged, MemberInvited, MemberRemoved, TokenCreated, TokenRevoked, Exported, Erased, SettingsChanged,
    Merged, Imported,
}

/// <summary>One change to one row, written in the same transaction as the change itself.</summary>
public sealed class AuditEntry : ITenantOwned
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public DateTimeOffset At { get; set; }
    public long? ActorUserId { get; set; }
    /// <summary>Who made the change, readable: "admin@church.org (token 'sync')", "cli", "system".</summary>
    public required string Actor { get; set; }
    public AuditAction Action { get; set; }
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    /// <summary>JSON object of changed properties: {"name": {"from": .., "to": ..}}.</summary>
    public string? Changes { get; set; }
    /// <summary>The client's address as seen after the trusted reverse proxies; null for the shell and jobs.</summary>
    public string? IpAddress { get; set; }
}

/// <summary>
/// Who the current unit of work acts for, recorded in the audit log: the user, a readable name, and the client's IP
/// address when the work is an HTTP request (null for the shell and jobs).
/// </summary>
public sealed record AuditActor(long? UserId, string Name, string? IpAddress = null)
{
    public static readonly AuditActor System = new(null, "system");
}
