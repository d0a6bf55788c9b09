using Shepherd.Data.Tenancy;

namespace Shepherd.Data.Organizations;

/// <summary>The tenant: a church or a network of churches. Every other church row belongs to exactly one.</summary>
public sealed class Organization : IVersioned, ITimestamped
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>IANA time zone the organization's services and reports are expressed in.</summary>
    public string TimeZone { get; set; } = "UTC";
    /// <summary>Space-separated roles whose members must use two-factor sign-in (default: administrators).</summary>
    public string TwoFactorRequiredRoles { get; set; } = "Administrator";
    /// <summary>True: members sign in only through the configured external provider (Google, OpenID Connect), never with a password.</summary>
    public bool LocalPasswordsDisabled { get; set; }
    /// <summary>Archived people older than this are erased by the retention job; null keeps them.</summary>
    public int? ArchivedPeopleRetentionDays { get; set; }
    /// <summary>Audit entries older than this are removed by the retention job; null keeps them for ever.</summary>
    public int? AuditRetentionDays { get; set; }
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
