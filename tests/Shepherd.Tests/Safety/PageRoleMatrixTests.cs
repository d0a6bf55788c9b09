using System.Net;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Accounts;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Web;
using Shouldly;

namespace Shepherd.Tests.Safety;

/// <summary>
/// The web pages × roles: each role's browser session opens exactly the pages its permissions allow and gets 403 on the
/// rest (a policy, never a hidden link). Every page the app maps needs a row, so a new page cannot skip the check.
/// </summary>
public sealed class PageRoleMatrixTests(WebSqliteApp app) : IClassFixture<WebSqliteApp>
{
    private const string Everyone = "ASLCV";
    private const string Nobody = "";

    /// <summary>Pages anyone may open signed out (sign-in and account recovery steps): never a 403 or a 500 for any role.</summary>
    private static readonly HashSet<string> Public =
    [
        "/signin", "/signin/two-factor", "/signin/passkey", "/signin/external", "/signin/external/confirm", "/signout",
        "/setup", "/account/forgot", "/account/reset", "/invite", "/alerts/acknowledge/{token}",
    ];

    /// <summary>Which roles open each signed-in page (A administrator, S staff, L group leader, C check-in volunteer, V viewer).</summary>
    private static readonly Dictionary<string, string> Table = new()
    {
        ["/account"] = Everyone,
        ["/account/confirm"] = Everyone,
        ["/account/tokens"] = Everyone,
        ["/account/two-factor"] = Everyone,
        ["/account/passkeys"] = Everyone,
        ["/audit"] = "A",
        ["/search"] = "ASLV",
        ["/checkin"] = "ASLC",
        ["/checkin/checkout"] = "ASLC",
        ["/checkin/rooms"] = "ASLC",
        ["/checkin/labels"] = "ASLC",
        ["/people"] = "ASLV",
        ["/people/new"] = "AS",
        ["/people/{id:long}"] = "ASLV",
        ["/people/{id:long}/edit"] = "ASL",
        ["/people/{id:long}/merge"] = "AS",
        ["/families"] = "ASV",
        ["/families/new"] = "AS",
        ["/families/{id:long}"] = "ASV",
        ["/families/{id:long}/edit"] = "AS",
        ["/badges"] = "ASLV",
        ["/badges/{id:long}"] = "ASLV",
        // Instance-wide: platform administrators and monitoring tokens only, which no organization role is.
        ["/operations"] = Nobody,
        ["/operations/alerts/channels"] = Nobody,
        ["/operations/alerts"] = Nobody,
        ["/platform/organizations"] = Nobody,
    };

    private static readonly (char Letter, OrganizationRole Role)[] Roles =
    [
        ('A', OrganizationRole.Administrator), ('S', OrganizationRole.Staff), ('L', OrganizationRole.GroupLeader),
        ('C', OrganizationRole.CheckInVolunteer), ('V', OrganizationRole.Viewer),
    ];

    [Fact]
    public void Every_page_has_a_row_and_every_row_a_page()
    {
        var pages = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<PageActionDescriptor>() is not null)
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/'))
            .ToHashSet();

        pages.Where(p => !Table.ContainsKey(p) && !Public.Contains(p)).ShouldBeEmpty("say in PageRoleMatrixTests which roles may open these pages");
        Table.Keys.Concat(Public).Where(p => !pages.Contains(p)).ShouldBeEmpty("rows for pages that no longer exist");
    }

    /// <summary>
    /// A page's address with its route values filled from <paramref name="world"/> ("/people/{id:long}" → the world's adult,
    /// whom the world's group leader leads, so every allowed role reaches the record).
    /// </summary>
    private static string Url(string page, World world) => page.Contains('{', StringComparison.Ordinal)
        ? System.Text.RegularExpressions.Regex.Replace(page, @"\{id(:[^}]*)?\}", page.Split('/')[1] switch
        {
            "people" => world.AdultId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "families" => world.FamilyId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "badges" => world.BadgeTypeId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "groups" => world.GroupId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "services" => world.ServiceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException($"PageRoleMatrixTests.Url does not know the record of {page}: add it."),
        })
        : page;

    [Fact]
    public async Task Each_role_opens_exactly_the_pages_its_row_allows()
    {
        var world = await World.CreateAsync(app);
        using var admin = world.Api;
        await using (var db = app.Database(admin.OrganizationId))
        {
            // Two-factor setup would hold every session of a required role on its account pages; this test is about roles.
            await db.Organizations.Where(o => o.Id == admin.OrganizationId).ExecuteUpdateAsync(o => o.SetProperty(x => x.TwoFactorRequiredRoles, ""));
        }
        var failures = new List<string>();
        foreach (var (letter, role) in Roles)
        {
            using var member = role == OrganizationRole.Administrator
                ? null
                : await app.NewMemberAsync(admin.OrganizationId, role, role == OrganizationRole.GroupLeader ? world.AdultId : null);
            using var browser = app.Browser();
            using (var signedIn = await WebForms.SignInWithPasswordAsync(browser, (member ?? admin).AdminEmail, "correct horse battery staple"))
            {
                signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, role.ToString());
            }
            foreach (var (page, allowed) in Table)
            {
                using var response = await browser.GetAsync(Url(page, world));
                var expected = allowed.Contains(letter, StringComparison.Ordinal) ? HttpStatusCode.OK : HttpStatusCode.Forbidden;
                if (response.StatusCode != expected)
                {
                    failures.Add($"{role} on {page}: {(int)response.StatusCode}, expected {(int)expected}");
                }
            }
            foreach (var page in Public)
            {
                using var response = await browser.GetAsync(page);
                if ((int)response.StatusCode is 403 or >= 500)
                {
                    failures.Add($"{role} on public {page}: {(int)response.StatusCode}");
                }
            }
        }
        failures.ShouldBeEmpty();
    }
}
