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

    public const string ReadPolicy = "api.read";
    public const string WritePolicy = "api.write";
}
