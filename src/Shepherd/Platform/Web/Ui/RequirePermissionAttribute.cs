using Microsoft.AspNetCore.Authorization;
using Shepherd.Platform.Accounts;

namespace Shepherd.Platform.Web.Ui;

/// <summary>
/// Puts a page behind the policy of one permission, as the API's endpoints are: signed out goes to sign-in, a role
/// without the permission gets 403. Put it on the page model class.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class RequirePermissionAttribute(Permission permission) : AuthorizeAttribute(Permissions.Policy(permission))
{
    public Permission Permission { get; } = permission;
}
