namespace Shepherd.Platform.Accounts;

/// <summary>What an API token may do. Reading needs <see cref="Read"/>; changing anything needs <see cref="Write"/>.</summary>
public static class ApiScopes
{
    public const string Read = "read";
    public const string Write = "write";
    public const string Monitoring = "monitoring";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Read, Write, Monitoring };

    public const string ClaimType = "scope";
    public const string OrganizationClaim = "org";
    public const string TokenClaim = "token";

    /// <summary>The token's id: a browser session opened with a token re-checks that token by it.</summary>
    public const string TokenIdClaim = "token_id";

    /// <summary>"true" when the caller is one of the organization's pastoral team (reads notes shared with pastors).</summary>
    public const string PastoralClaim = "pastoral";

    /// <summary>The caller's own person record in the organization, when linked (a group leader's groups are found by it).</summary>
    public const string PersonClaim = "person";

    /// <summary>Present (value "administrator") when the token's user is a platform administrator.</summary>
    public const string PlatformClaim = "platform";
    public const string PlatformAdministrator = "administrator";

    /// <summary>Instance-wide operations (backups hold every organization): a platform administrator's token with read.</summary>
    public const string PlatformReadPolicy = "platform.read";

    /// <summary>The same with write: creating and verifying backups.</summary>
    public const string PlatformWritePolicy = "platform.write";

    /// <summary>Monitoring (metrics, detailed health): a token with the monitoring scope, or a platform administrator's.</summary>
    public const string MonitoringPolicy = "monitoring";
}
