using Microsoft.AspNetCore.Identity;
using Shepherd.Data.Tenancy;

namespace Shepherd.Data.Accounts;

/// <summary>A person who signs in to Shepherd. Users are global; what they may see comes from their memberships.</summary>
public sealed class ShepherdUser : IdentityUser<long>
{
    public string? DisplayName { get; set; }
    public bool IsPlatformAdministrator { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The organization the user last worked in; the web UI opens it after sign-in.</summary>
    public long? CurrentOrganizationId { get; set; }
    public DateTimeOffset? LastSignInAt { get; set; }
}

public enum OrganizationRole { Administrator, Staff, GroupLeader, CheckInVolunteer, Viewer }

/// <summary>A user's role in one organization.</summary>
public sealed class OrganizationMembership : ITenantOwned
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public long UserId { get; set; }
    public OrganizationRole Role { get; set; }
    /// <summary>One of the pastoral team: reads notes shared with pastors.</summary>
    public bool Pastoral { get; set; }
    /// <summary>The user's own person record in this organization: a group leader sees the groups this person leads.</summary>
    public long? PersonId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public ShepherdUser? User { get; set; }
}

/// <summary>An invitation by e-mail to join an organization with a role. Only the SHA-256 of the link's secret is stored.</summary>
public sealed class Invitation : ITenantOwned
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public required string Email { get; set; }
    public OrganizationRole Role { get; set; }
    [NotAudited]
    public required string TokenHash { get; set; }
    public long? InvitedByUserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>A bearer token for the API. Only the SHA-256 of the secret is stored; the secret is shown once.</summary>
public sealed class ApiToken : ITenantOwned
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public long UserId { get; set; }
    public required string Name { get; set; }
    /// <summary>The first characters of the token, safe to show so people can tell tokens apart.</summary>
    public required string Prefix { get; set; }
    [NotAudited]
    public required string TokenHash { get; set; }
    /// <summary>Space-separated scopes: read, write, monitoring.</summary>
    public required string Scopes { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public ShepherdUser? User { get; set; }
}
