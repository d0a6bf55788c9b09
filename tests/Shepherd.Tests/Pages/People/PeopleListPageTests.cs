using System.Globalization;
using System.Net;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Accounts;
using Shepherd.Data.People;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Pages.People;

public sealed class PeopleListPageSqliteTests(PagesSqliteApp app) : PeopleListPageTests<PagesSqliteApp>(app);

public sealed class PeopleListPagePostgresTests(PagesPostgresApp app) : PeopleListPageTests<PagesPostgresApp>(app);

/// <summary>/people: the filters of the API's list, sorting and paging in the database, the CSV of exactly the filtered list.</summary>
public abstract class PeopleListPageTests<TApp>(TApp app) where TApp : ShepherdApp, IPageApp
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly string[] Sizes = ["S", "M", "L"];

    private static string Born(int yearsAgo, int daysAgo = 30) =>
        DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime).AddYears(-yearsAgo).AddDays(-daysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static List<string> Names(IDocument page) =>
        [.. page.QuerySelectorAll("#people tbody tr").Select(r => Html.Collapse(r.QuerySelector("td")!.TextContent))];

    private static async Task<List<string[]>> CsvAsync(HttpClient browser, string url)
    {
        using var response = await browser.GetAsync(url, Cancel);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = (await response.Content.ReadAsStringAsync(Cancel)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return [.. lines.Select(l => l.Split(','))];
    }

    [Fact]
    public async Task Each_filter_narrows_the_list_as_the_api_does_and_the_csv_holds_exactly_the_filtered_people()
    {
        using var session = await PageSession.StartAsync(app);
        var api = session.Admin;
        var north = (long)(await api.CreateAsync("/api/v1/campuses", new { name = "North" }))["id"]!;
        await api.CreateAsync("/api/v1/custom-fields", new { key = "shirt", label = "T-shirt size", type = "choice", choices = Sizes });
        await api.CreateAsync("/api/v1/people", new { firstName = "Kim", lastName = "Young", birthDate = Born(9), campusId = north, membershipStatus = "attender", customFields = new { shirt = "S" } });
        var teen = await api.CreateAsync("/api/v1/people", new { firstName = "Tove", lastName = "Teen", birthDate = Born(15), campusId = north, membershipStatus = "member" });
        await api.CreateAsync("/api/v1/people", new { firstName = "Adam", lastName = "Older", birthDate = Born(40), membershipStatus = "member", emails = new[] { new { address = "adam@example.org" } } });
        await api.CreateAsync("/api/v1/people", new { firstName = "Ines", lastName = "Gone", active = false, phones = new[] { new { number = "555 0199 8877" } } });
        var archived = await api.CreateAsync("/api/v1/people", new { firstName = "Arne", lastName = "Archived" });
        (await api.PostAsync($"/api/v1/people/{archived["id"]}/archive", new { })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var group = await api.CreateAsync("/api/v1/groups", new { name = "Youth", kind = "smallGroup" });
        await api.CreateAsync($"/api/v1/groups/{group["id"]}/members", new { personId = (long)teen["id"]!, role = "member" });

        (await session.PageAsync("/people")).TextOf("#people-count").ShouldBe("4 people");
        Names(await session.PageAsync("/people?status=member")).ShouldBe(["Older", "Teen"]);
        Names(await session.PageAsync($"/people?campusId={north}")).ShouldBe(["Teen", "Young"]);
        Names(await session.PageAsync($"/people?groupId={group["id"]}")).ShouldBe(["Teen"]);
        Names(await session.PageAsync("/people?minAge=10&maxAge=15")).ShouldBe(["Teen"]);
        Names(await session.PageAsync("/people?maxAge=9")).ShouldBe(["Young"]);
        Names(await session.PageAsync("/people?minAge=16")).ShouldBe(["Older"]);
        Names(await session.PageAsync("/people?active=false")).ShouldBe(["Gone"]);
        Names(await session.PageAsync("/people?archived=true")).ShouldBe(["Archived"]);
        Names(await session.PageAsync("/people?field=shirt&value=S")).ShouldBe(["Young"]);
        Names(await session.PageAsync("/people?q=adam%40example")).ShouldBe(["Older"]);
        Names(await session.PageAsync("/people?q=8877")).ShouldBe(["Gone"]);
        Names(await session.PageAsync("/people?sort=-name")).ShouldBe(["Young", "Teen", "Older", "Gone"]);
        Names(await session.PageAsync("/people?sort=firstName")).ShouldBe(["Older", "Gone", "Young", "Teen"]);
        Names(await session.PageAsync("/people?sort=birthDate")).ShouldBe(["Older", "Teen", "Young", "Gone"]);

        var page = await session.PageAsync($"/people?status=member&campusId={north}");
        var csvLink = page.QuerySelector("#export-csv")!.GetAttribute("href")!;
        csvLink.ShouldContain("handler=csv");
        var csv = await CsvAsync(session.Browser, csvLink);
        csv[0][0].ShouldBe("id");
        csv.Skip(1).Select(r => long.Parse(r[0], CultureInfo.InvariantCulture)).ShouldBe([(long)teen["id"]!]);
        var fromApi = await api.GetJsonAsync($"/api/v1/people?status=member&campusId={north}");
        fromApi["items"]!.AsArray().Select(i => (long)i!["id"]!).ShouldBe([(long)teen["id"]!]);

        var all = await CsvAsync(session.Browser, "/people?handler=csv");
        all.Skip(1).Select(r => r[2]).ShouldBe(["Gone", "Older", "Teen", "Young"]);
        all[0].ShouldContain("email");
    }

    [Fact]
    public async Task The_list_is_paged_fifty_a_page_and_the_csv_holds_every_page()
    {
        using var session = await PageSession.StartAsync(app);
        await using (var db = app.Database(session.OrganizationId))
        {
            for (var i = 0; i < 55; i++)
            {
                var person = new Person { FirstName = "P", LastName = $"Person {i:D2}" };
                person.RefreshSearchColumns();
                db.People.Add(person);
            }
            await db.SaveChangesAsync(Cancel);
        }
        var first = await session.PageAsync("/people");
        first.TextOf("#people-count").ShouldBe("1–50 of 55 people");
        Names(first).Count.ShouldBe(50);
        var next = first.QuerySelector(".pager a[rel=next]")!.GetAttribute("href")!;
        var second = await session.PageAsync(next);
        Names(second).ShouldBe(["Person 50", "Person 51", "Person 52", "Person 53", "Person 54"]);
        (await session.PageAsync("/people?p=999")).TextOf("#people-count").ShouldBe("51–55 of 55 people");
        (await CsvAsync(session.Browser, "/people?handler=csv")).Count.ShouldBe(56);
    }

    [Fact]
    public async Task A_bad_filter_is_said_beside_the_list_never_a_server_error()
    {
        using var session = await PageSession.StartAsync(app);
        (await session.PageAsync("/people?status=robot")).TextOf("#list-errors").ShouldBe("Unknown status 'robot'. Use one of: visitor, attender, member, former.");
        (await session.PageAsync("/people?minAge=20&maxAge=10")).TextOf("#list-errors").ShouldBe("The highest age cannot be below the lowest.");
        (await session.PageAsync("/people?minAge=900")).TextOf("#list-errors").ShouldBe("minAge must be between 0 and 150.");
        (await session.PageAsync("/people?field=hat&value=x")).TextOf("#list-errors").ShouldBe("There is no custom field with key 'hat' in your organization.");
        (await session.PageAsync("/people?sort=shoeSize")).TextOf("#list-errors").ShouldContain("Sort by one of name, firstName");
        (await session.PageAsync("/people?campusId=north")).QuerySelector("#list-errors").ShouldNotBeNull();
        using var csv = await session.Browser.GetAsync("/people?handler=csv&status=robot", Cancel);
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
    }

    [Fact]
    public async Task An_empty_list_says_what_to_do_next()
    {
        using var session = await PageSession.StartAsync(app);
        var empty = await session.PageAsync("/people");
        empty.TextOf(".empty").ShouldContain("No people yet");
        empty.QuerySelector(".empty a")!.GetAttribute("href").ShouldBe("/people/new");
        (await session.PageAsync("/people?q=nobody")).TextOf(".empty").ShouldContain("Nobody matches these filters");
    }

    [Fact]
    public async Task A_group_leader_lists_and_downloads_only_the_people_of_their_groups()
    {
        using var session = await PageSession.StartAsync(app);
        var leader = await session.Admin.CreateAsync("/api/v1/people", new { firstName = "Lena", lastName = "Leader" });
        var member = await session.Admin.CreateAsync("/api/v1/people", new { firstName = "Gina", lastName = "Grouped" });
        await session.Admin.CreateAsync("/api/v1/people", new { firstName = "Olle", lastName = "Outside" });
        var group = await session.Admin.CreateAsync("/api/v1/groups", new { name = "Tuesday", kind = "smallGroup" });
        await session.Admin.CreateAsync($"/api/v1/groups/{group["id"]}/members", new { personId = (long)leader["id"]!, role = "leader" });
        await session.Admin.CreateAsync($"/api/v1/groups/{group["id"]}/members", new { personId = (long)member["id"]!, role = "member" });
        using var asLeader = await session.AsAsync(app, OrganizationRole.GroupLeader, (long)leader["id"]!);

        var page = await asLeader.PageAsync("/people");
        Names(page).ShouldBe(["Grouped", "Leader"]);
        page.QuerySelector("#add-person").ShouldBeNull();
        (await CsvAsync(asLeader.Browser, "/people?handler=csv")).Skip(1).Select(r => r[2]).ShouldBe(["Grouped", "Leader"]);

        using var volunteer = await session.AsAsync(app, OrganizationRole.CheckInVolunteer);
        using var refused = await volunteer.Browser.GetAsync("/people?handler=csv", Cancel);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await using var db = app.Database(session.OrganizationId);
        (await db.People.CountAsync(Cancel)).ShouldBe(3);
    }
}
