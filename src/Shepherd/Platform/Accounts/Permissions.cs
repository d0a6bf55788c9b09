using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Shepherd.Data.Accounts;

namespace Shepherd.Platform.Accounts;

/// <summary>What a caller may do in their organization. Each endpoint names the one permission it needs.</summary>
public enum Permission
{
    PeopleRead,
    /// <summary>Change people one may read (a group leader: the people of their groups).</summary>
    PeopleWrite,
    /// <summary>Add a new person to the church's records (not group leaders: a person they add would be outside their groups).</summary>
    PeopleCreate,
    /// <summary>
    /// Merge a duplicate record into another: moves attendance, families, groups, notes and badges, so it reaches beyond
    /// what a group leader may see (administrators and staff).
    /// </summary>
    PeopleMerge,
    /// <summary>E-mail addresses, phone numbers and postal addresses, beyond a name.</summary>
    ContactDetailsRead,
    FamiliesRead,
    FamiliesWrite,
    GroupsRead,
    GroupsWrite,
    ServicesRead,
    ServicesWrite,
    AttendanceRead,
    AttendanceWrite,
    /// <summary>The kiosk's work: check a person in to a service and out again.</summary>
    CheckIn,
    /// <summary>The kiosk's family search: names, family roles, ages and pickups' names, never contact details.</summary>
    CheckInSearch,
    NotesRead,
    NotesWrite,
    BadgesRead,
    BadgesWrite,
    /// <summary>Campuses, custom fields, badge types and the organization's own settings.</summary>
    SettingsWrite,
    /// <summary>See the organization's members and pending invitations.</summary>
    UsersRead,
    UsersManage,
    /// <summary>See one's own API tokens (every role: a member may always see what acts in their name).</summary>
    TokensRead,
    /// <summary>Create and revoke API tokens (one's own; an administrator revokes any member's).</summary>
    TokensManage,
    AuditRead,
    /// <summary>Export everything held about a person (a read, but of everything: administrators only).</summary>
    PrivacyExport,
    /// <summary>Erase a person.</summary>
    PrivacyManage,
}

/// <summary>
/// The role × permission table, the one place that says what each role may do. A token may never do more than its
/// user's role allows, and reading needs the read scope, changing needs the write scope.
/// </summary>
public static class Permissions
{
    private static readonly IReadOnlySet<Permission> Writes = new HashSet<Permission>
    {
        Permission.PeopleWrite, Permission.PeopleCreate, Permission.PeopleMerge, Permission.FamiliesWrite, Permission.GroupsWrite, Permission.ServicesWrite,
        Permission.AttendanceWrite, Permission.CheckIn, Permission.NotesWrite, Permission.BadgesWrite,
        Permission.SettingsWrite, Permission.UsersManage, Permission.TokensManage, Permission.PrivacyManage,
    };

    private static readonly Dictionary<OrganizationRole, IReadOnlySet<Permission>> Table = new()
    {
        [OrganizationRole.Administrator] = Enum.GetValues<Permission>().ToHashSet(),
        [OrganizationRole.Staff] = Enum.GetValues<Permission>()
            .Except([Permission.SettingsWrite, Permission.UsersRead, Permission.UsersManage, Permission.AuditRead, Permission.PrivacyExport, Permission.PrivacyManage])
            .ToHashSet(),
        // Limited further to the people of the groups they lead (CallerScope).
        [OrganizationRole.GroupLeader] = new HashSet<Permission>
        {
            Permission.PeopleRead, Permission.PeopleWrite, Permission.ContactDetailsRead, Permission.GroupsRead,
            Permission.ServicesRead, Permission.AttendanceRead, Permission.AttendanceWrite, Permission.CheckIn, Permission.CheckInSearch, Permission.BadgesRead,
            Permission.TokensRead,
        },
        [OrganizationRole.CheckInVolunteer] = new HashSet<Permission>
        {
            Permission.CheckIn, Permission.CheckInSearch, Permission.ServicesRead, Permission.TokensRead,
        },
        [OrganizationRole.Viewer] = new HashSet<Permission>
        {
            Permission.PeopleRead, Permission.ContactDetailsRead, Permission.FamiliesRead, Permission.GroupsRead,
            Permission.ServicesRead, Permission.AttendanceRead, Permission.BadgesRead, Permission.TokensRead,
        },
    };

    /// <summary>The policy name an endpoint uses for <paramref name="permission"/>.</summary>
    public static string Policy(Permission permission) => "permission:" + permission;

    public static bool IsWrite(Permission permission) => Writes.Contains(permission);

    public static bool Grants(OrganizationRole role, Permission permission) => Table[role].Contains(permission);

    public static IReadOnlySet<Permission> Of(OrganizationRole role) => Table[role];

    /// <summary>The caller's role in the organization they act in, from the claim the authentication handler set.</summary>
    public static OrganizationRole? Role(this ClaimsPrincipal user) =>
        Enum.TryParse<OrganizationRole>(user.FindFirstValue(ClaimTypes.Role), out var role) ? role : null;

    public static bool Has(this ClaimsPrincipal user, Permission permission) =>
        user.Role() is { } role && Grants(role, permission) && !user.MustSetUpTwoFactor()
        && user.HasClaim(ApiScopes.ClaimType, IsWrite(permission) ? ApiScopes.Write : ApiScopes.Read);

    /// <summary>A session that must set up two-factor sign-in first may do nothing else.</summary>
    public static bool MustSetUpTwoFactor(this ClaimsPrincipal user) => user.HasClaim(c => c.Type == SessionClaims.TwoFactorSetupClaim);

    /// <summary>Requires <paramref name="permission"/> of every caller of the endpoint or group.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission permission) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policy(permission));

    public static AuthorizationBuilder AddPermissionPolicies(this AuthorizationBuilder authorization)
    {
        foreach (var permission in Enum.GetValues<Permission>())
        {
            authorization.AddPolicy(Policy(permission), p => p.RequireAuthenticatedUser().RequireAssertion(c => c.User.Has(permission)));
        }
        return authorization;
    }
}
