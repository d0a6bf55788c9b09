using System.Net;
using System.Text.Json.Nodes;
using Shepherd.Data.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Pages;

public sealed class LayoutSqliteTests(PagesSqliteApp app) : LayoutTests<PagesSqliteApp>(app);

public sealed class LayoutPostgresTests(PagesPostgresApp app) : LayoutTests<PagesPostgresApp>(app);

/// <summary>The frame every page shares: the menu by role, the header's search, the front door and cached assets.</summary>
public abstract class LayoutTests<TApp>(TApp app) where TApp : ShepherdApp, IPageApp
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_search_finds_people_by_name_and_phone_digits_and_families_and_groups_by_name()
    {
        using var session = await PageSession.StartAsync(app);
        await session.Admin.CreateAsync("/api/v1/people", new { firstName = "Anneliese", lastName = "Quartermain", phones = new[] { new { number = "+1 555 0142 7781" } } });
        await session.Admin.CreateAsync("/api/v1/people", new { firstName = "Bob", lastName = "Other" });
        await session.Admin.CreateAsync("/api/v1/families", new { name = "Quartermain household" });
        await session.Admin.CreateAsync("/api/v1/groups", new { name = "Quartermain Bible study", kind = "smallGroup" });

        var page = await session.PageAsync("/search?q=quarter");
        page.TextOf("#results-people").ShouldContain("Anneliese Quartermain");
        page.TextOf("#results-people").ShouldNotContain("Bob");
        page.TextOf("#results-families").ShouldContain("Quartermain household");
        page.TextOf("#results-groups").ShouldContain("Quartermain Bible study");
        page.TextOf("#search-count").ShouldBe("3 found for “quarter”.");

        var byPhone = await session.PageAsync("/search?q=7781");
        byPhone.TextOf("#results-people").ShouldContain("Anneliese Quartermain");

        using var suggest = await session.Browser.GetAsync("/search?handler=suggest&q=Quart", Cancel);
        suggest.StatusCode.ShouldBe(HttpStatusCode.OK);
        var hits = JsonNode.Parse(await suggest.Content.ReadAsStringAsync(Cancel))!.AsArray();
        hits.Select(h => (string)h!["kind"]!).ShouldBe(["person", "family", "group"]);
        ((string)hits[0]!["path"]!).ShouldStartWith("/people/");
    }

    [Fact]
    public async Task A_search_too_short_or_too_long_says_so_and_an_unknown_name_says_what_to_try()
    {
        using var session = await PageSession.StartAsync(app);
        (await session.PageAsync("/search?q=a")).TextOf("#search-problem").ShouldBe("Type at least 2 letters or digits.");
        (await session.PageAsync("/search?q=" + new string('x', 101))).TextOf("#search-problem").ShouldBe("Search for at most 100 characters.");
        var none = await session.PageAsync("/search?q=zzzzqqq");
        none.TextOf("#search-count").ShouldBe("Nothing found for “zzzzqqq”.");
        none.TextOf(".empty").ShouldContain("Check the spelling");
    }

    [Fact]
    public async Task A_group_leader_finds_only_the_people_of_their_groups_and_a_check_in_volunteer_may_not_search()
    {
        using var session = await PageSession.StartAsync(app);
        var leader = await session.Admin.CreateAsync("/api/v1/people", new { firstName = "Lena", lastName = "Leader" });
        var inGroup = await session.Admin.CreateAsync("/api/v1/people", new { firstName = "Gina", lastName = "Grouped" });
        await session.Admin.CreateAsync("/api/v1/people", new { firstName = "Gail", lastName = "Grouped-Not" });
        var group = await session.Admin.CreateAsync("/api/v1/groups", new { name = "Tuesday group", kind = "smallGroup" });
        await session.Admin.CreateAsync($"/api/v1/groups/{group["id"]}/members", new { personId = (long)leader["id"]!, role = "leader" });
        await session.Admin.CreateAsync($"/api/v1/groups/{group["id"]}/members", new { personId = (long)inGroup["id"]!, role = "member" });

        using var asLeader = await session.AsAsync(app, OrganizationRole.GroupLeader, (long)leader["id"]!);
        var page = await asLeader.PageAsync("/search?q=grouped");
        page.TextOf("#results-people").ShouldContain("Gina Grouped");
        page.TextOf("#results-people").ShouldNotContain("Gail");

        using var volunteer = await session.AsAsync(app, OrganizationRole.CheckInVolunteer);
        using var refused = await volunteer.Browser.GetAsync("/search?q=grouped", Cancel);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var refusedSuggest = await volunteer.Browser.GetAsync("/search?handler=suggest&q=grouped", Cancel);
        refusedSuggest.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_menu_shows_each_role_only_what_it_may_open_and_marks_the_current_page()
    {
        using var admin = await PageSession.StartAsync(app);
        var audit = await admin.PageAsync("/audit");
        var links = audit.QuerySelectorAll("nav.main a").Select(a => a.GetAttribute("href")).ToList();
        links.ShouldContain("/audit");
        audit.QuerySelector("nav.main a[aria-current=page]").ShouldNotBeNull().GetAttribute("href").ShouldBe("/audit");
        audit.QuerySelector("#global-search").ShouldNotBeNull();

        using var viewer = await admin.AsAsync(app, OrganizationRole.Viewer);
        var account = await viewer.PageAsync("/account");
        account.QuerySelectorAll("nav.main a").Select(a => a.GetAttribute("href")).ShouldNotContain("/audit");
    }

    [Fact]
    public async Task The_front_door_takes_a_signed_in_person_to_the_first_page_of_their_menu_and_others_to_sign_in()
    {
        using var anonymous = app.Browser();
        using (var door = await anonymous.GetAsync("/", Cancel))
        {
            door.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            door.Headers.Location!.ToString().ShouldBe("/account");
        }
        using var admin = await PageSession.StartAsync(app);
        using var home = await admin.Browser.GetAsync("/", Cancel);
        home.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var menu = await admin.PageAsync("/account");
        home.Headers.Location!.ToString().ShouldBe(menu.QuerySelector("nav.main a").ShouldNotBeNull().GetAttribute("href"));
    }

    [Fact]
    public async Task The_stylesheet_is_linked_with_its_hash_and_cached_for_a_year_and_unversioned_asks_again()
    {
        using var session = await PageSession.StartAsync(app);
        var page = await session.PageAsync("/account");
        var href = page.QuerySelector("link[rel=stylesheet]").ShouldNotBeNull().GetAttribute("href")!;
        href.ShouldStartWith("/css/site.css?v=");

        using var versioned = await session.Browser.GetAsync(href, Cancel);
        versioned.StatusCode.ShouldBe(HttpStatusCode.OK);
        versioned.Headers.CacheControl!.ToString().ShouldBe("public, max-age=31536000, immutable");
        using var plain = await session.Browser.GetAsync("/css/site.css", Cancel);
        plain.Headers.CacheControl!.NoCache.ShouldBeTrue();
    }

    [Fact]
    public async Task The_stylesheet_is_sent_compressed_and_pages_are_not()
    {
        using var session = await PageSession.StartAsync(app);
        foreach (var (url, compressed) in new[] { ("/css/site.css", true), ("/js/search.js", true), ("/account", false) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.AcceptEncoding.ParseAdd("br, gzip");
            using var response = await session.Browser.SendAsync(request, Cancel);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, url);
            (response.Content.Headers.ContentEncoding.Count > 0).ShouldBe(compressed, $"{url}: pages carry antiforgery tokens (BREACH)");
        }
    }
}
