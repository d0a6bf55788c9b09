using System.Security.Claims;
using Shepherd.Platform.Accounts;

namespace Shepherd.Platform.Web.Ui;

/// <summary>One entry of the main menu: shown only to those who may open it (the page itself checks again).</summary>
public sealed record NavigationItem(string Label, string Path, Func<ClaimsPrincipal, bool> Visible)
{
    /// <summary>The current page is this entry or under it (/people/7 is under People).</summary>
    public bool IsCurrent(PathString path) => path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The main menu, in the order staff use it on a Sunday. A feature's page adds its entry here.</summary>
public static class Navigation
{
    public static IReadOnlyList<NavigationItem> Main { get; } =
    [
        new("People", "/people", u => u.Has(Permission.PeopleRead)),
        new("Families", "/families", u => u.Has(Permission.FamiliesRead)),
        new("Check-in", "/checkin", u => u.Has(Permission.CheckIn)),
        new("Audit log", "/audit", u => u.Has(Permission.AuditRead)),
        new("Operations", "/operations", IsOperator),
        new("Organizations", "/platform/organizations", IsPlatformAdministrator),
    ];

    public static IEnumerable<NavigationItem> For(ClaimsPrincipal user) => Main.Where(i => i.Visible(user));

    /// <summary>Where "/" takes a signed-in person: the first page of the menu they may open, else their account.</summary>
    public static string Home(ClaimsPrincipal user) => For(user).FirstOrDefault()?.Path ?? AccountModel.Path;

    public static bool IsPlatformAdministrator(ClaimsPrincipal user) =>
        user.HasClaim(ApiScopes.PlatformClaim, ApiScopes.PlatformAdministrator);

    /// <summary>The Operations page's readers: platform administrators and monitoring tokens.</summary>
    public static bool IsOperator(ClaimsPrincipal user) =>
        IsPlatformAdministrator(user) || user.HasClaim(ApiScopes.ClaimType, ApiScopes.Monitoring);
}
