using System.Net;
using Shepherd.Data.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Pages.Badges;

public sealed class BadgePagesSqliteTests(PagesSqliteApp app) : BadgePagesTests<PagesSqliteApp>(app);

public sealed class BadgePagesPostgresTests(PagesPostgresApp app) : BadgePagesTests<PagesPostgresApp>(app);

/// <summary>/badges (each type, its colour and how many hold it) and /badges/{id} (its holders, paged, CSV).</summary>
public abstract class BadgePagesTests<TApp>(TApp app) where TApp : ShepherdApp, IPageApp
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_overview_counts_holders_and_the_holders_page_lists_and_downloads_them()
    {
        using var session = await PageSession.StartAsync(app);
        var api = session.Admin;
        var baptized = await api.CreateAsync("/api/v1/badge-types", new { name = "Baptized", color = "#3366cc", description = "Baptized in this church" });
        await api.CreateAsync("/api/v1/badge-types", new { name = "Usher", color = "#cc6633" });
        var anna = await api.CreateAsync("/api/v1/people", new { firstName = "Anna", lastName = "Ek" });
        var bo = await api.CreateAsync("/api/v1/people", new { firstName = "Bo", lastName = "Alm" });
        await api.CreateAsync($"/api/v1/people/{anna["id"]}/badges", new { badgeTypeId = (long)baptized["id"]!, awardedOn = "2019-04-21" });
        await api.CreateAsync($"/api/v1/people/{anna["id"]}/badges", new { badgeTypeId = (long)baptized["id"]!, awardedOn = "2024-04-21" });
        await api.CreateAsync($"/api/v1/people/{bo["id"]}/badges", new { badgeTypeId = (long)baptized["id"]!, awardedOn = "2020-01-01" });

        var overview = await session.PageAsync("/badges");
        var rows = overview.QuerySelectorAll("#badge-types tbody tr").Select(r => Html.Collapse(r.TextContent)).ToList();
        rows.ShouldBe(["Baptized Baptized in this church 2 people", "Usher 0 people"]);
        overview.QuerySelector("#badge-types circle")!.GetAttribute("fill").ShouldBe("#3366cc");

        var holders = await session.PageAsync($"/badges/{baptized["id"]}");
        holders.TextOf("#holders-count").ShouldBe("2 people hold it");
        holders.QuerySelectorAll("#holders tbody tr").Select(r => Html.Collapse(r.TextContent)).ShouldBe(["Bo Alm Visitor 1 Jan 2020", "Anna Ek Visitor 21 Apr 2024"]);
        using var csv = await session.Browser.GetAsync($"/badges/{baptized["id"]}?handler=csv", Cancel);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = (await csv.Content.ReadAsStringAsync(Cancel)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.ShouldBe(["id,first_name,last_name,preferred_name,status,archived,awarded_on", $"{bo["id"]},Bo,Alm,,Visitor,no,2020-01-01", $"{anna["id"]},Anna,Ek,,Visitor,no,2024-04-21"]);
    }

    [Fact]
    public async Task A_group_leader_sees_only_their_groups_holders_and_another_organizations_badge_is_not_found()
    {
        using var session = await PageSession.StartAsync(app);
        var api = session.Admin;
        var type = await api.CreateAsync("/api/v1/badge-types", new { name = "Volunteer", color = "#228833" });
        var leader = await api.CreateAsync("/api/v1/people", new { firstName = "Lea", lastName = "Leader" });
        var outsider = await api.CreateAsync("/api/v1/people", new { firstName = "Otto", lastName = "Outside" });
        var group = await api.CreateAsync("/api/v1/groups", new { name = "Team", kind = "team" });
        await api.CreateAsync($"/api/v1/groups/{group["id"]}/members", new { personId = (long)leader["id"]!, role = "leader" });
        await api.CreateAsync($"/api/v1/people/{leader["id"]}/badges", new { badgeTypeId = (long)type["id"]! });
        await api.CreateAsync($"/api/v1/people/{outsider["id"]}/badges", new { badgeTypeId = (long)type["id"]! });
        using var asLeader = await session.AsAsync(app, OrganizationRole.GroupLeader, (long)leader["id"]!);

        (await asLeader.PageAsync("/badges")).TextOf("#badge-types tbody").ShouldContain("1 person");
        var holders = await asLeader.PageAsync($"/badges/{type["id"]}");
        holders.TextOf("#holders").ShouldContain("Lea Leader");
        holders.TextOf("#holders").ShouldNotContain("Otto");

        using var other = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var theirs = await other.CreateAsync("/api/v1/badge-types", new { name = "Theirs", color = "#000000" });
        using var response = await session.Browser.GetAsync($"/badges/{theirs["id"]}", Cancel);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await session.PageAsync("/badges")).TextOf("#badge-types").ShouldNotContain("Theirs");
    }
}
