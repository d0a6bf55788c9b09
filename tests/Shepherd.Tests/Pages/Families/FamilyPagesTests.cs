using System.Net;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Accounts;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Safety;
using Shouldly;

namespace Shepherd.Tests.Pages.Families;

public sealed class FamilyPagesSqliteTests(PagesSqliteApp app) : FamilyPagesTests<PagesSqliteApp>(app);

public sealed class FamilyPagesPostgresTests(PagesPostgresApp app) : FamilyPagesTests<PagesPostgresApp>(app);

/// <summary>/families, /families/new, /families/{id} and its edit page.</summary>
public abstract class FamilyPagesTests<TApp>(TApp app) where TApp : ShepherdApp, IPageApp
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Household() => new()
    {
        ["Input.Name"] = "",
        ["Input.HomePhone"] = "555 0100 7000",
        ["Input.City"] = "Lund",
        ["Members[0].FirstName"] = "Erik",
        ["Members[0].LastName"] = "Holm",
        ["Members[0].Role"] = "0",
        ["Members[1].FirstName"] = "Sara",
        ["Members[1].LastName"] = "",
        ["Members[1].Role"] = "0",
        ["Members[2].FirstName"] = "Ella",
        ["Members[2].Role"] = "1",
        ["Members[2].BirthDate"] = "2018-04-05",
        ["Members[2].MedicalNote"] = "Nut allergy",
        ["Members[3].FirstName"] = "Liam",
        ["Members[3].Role"] = "1",
        ["Members[3].BirthDate"] = "2020-09-10",
    };

    [Fact]
    public async Task A_family_of_two_adults_and_two_children_is_entered_in_one_form()
    {
        using var session = await PageSession.StartAsync(app);
        var form = await session.PageAsync("/families/new");
        form.QuerySelectorAll(".member-row").Length.ShouldBe(4);

        var page = await session.SubmitAsync("/families/new", Household());

        page.TextOf("h1").ShouldBe("Holm family");
        page.TextOf("#flash").ShouldBe("Added Holm family with 4 members.");
        page.TextOf("#family-summary").ShouldStartWith("2 adults, 2 children");
        page.TextOf("#member-list").ShouldContain("Nut allergy");
        var id = await FamilyIdAsync(session, "Holm family");
        var family = await session.Admin.GetJsonAsync($"/api/v1/families/{id}");
        family["homePhone"]!.GetValue<string>().ShouldBe("555 0100 7000");
        family["members"]!.AsArray().Select(m => ((string)m!["displayName"]!, (string)m["role"]!))
            .ShouldBe([("Erik Holm", "adult"), ("Sara Holm", "adult"), ("Ella Holm", "child"), ("Liam Holm", "child")], ignoreOrder: true);
        var ella = family["members"]!.AsArray().Single(m => (string)m!["firstName"]! == "Ella")!;
        (await session.Admin.GetJsonAsync($"/api/v1/people/{ella["personId"]}"))["medicalNote"]!.GetValue<string>().ShouldBe("Nut allergy");
    }

    [Fact]
    public async Task A_family_started_from_a_profile_holds_that_person_and_is_named_after_them()
    {
        using var session = await PageSession.StartAsync(app);
        var mother = (long)(await session.Admin.CreateAsync("/api/v1/people", new { firstName = "Maja", lastName = "Strand" }))["id"]!;
        var profile = await session.PageAsync($"/people/{mother}");
        var start = profile.QuerySelector("#start-family")!.GetAttribute("href")!;
        start.ShouldBe($"/families/new?personId={mother}");
        (await session.PageAsync(start)).QuerySelectorAll(".member-row").Length.ShouldBe(3);

        var page = await session.SubmitAsync(start, new()
        {
            ["PersonId"] = $"{mother}",
            ["PersonRole"] = "0",
            ["Members[0].FirstName"] = "Tilde",
            ["Members[0].Role"] = "1",
            ["Members[0].BirthDate"] = "2021-02-03",
        });

        page.TextOf("h1").ShouldBe("Strand family");
        page.TextOf("#member-list").ShouldContain("Maja Strand");
        page.TextOf("#member-list").ShouldContain("Tilde Strand");
        using var other = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var theirs = await other.CreateAsync("/api/v1/people", new { firstName = "Far", lastName = "Away" });
        using var response = await session.Browser.GetAsync($"/families/new?personId={theirs["id"]}", Cancel);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_refused_row_is_marked_and_neither_the_family_nor_any_of_its_people_is_written()
    {
        using var session = await PageSession.StartAsync(app);
        var before = await Fingerprint.OfAsync(app, session.OrganizationId);
        var fields = Household();
        fields["Members[3].BirthDate"] = "2999-01-01";
        fields["Members[2].MedicalNote"] = new string('m', 501);
        fields["Input.HomePhone"] = new string('5', 31);

        using var response = await session.PostFormAsync("/families/new", fields);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = Html.Parse(await response.Content.ReadAsStringAsync(Cancel));
        page.FieldError("Members[3].BirthDate").ShouldBe("The birth date cannot be in the future.");
        page.FieldError("Members[2].MedicalNote").ShouldNotBeNull();
        page.FieldError("Input.HomePhone").ShouldNotBeNull();
        page.QuerySelector("[name='Members[0].FirstName']")!.GetAttribute("value").ShouldBe("Erik");
        (await Fingerprint.OfAsync(app, session.OrganizationId)).ShouldBe(before);
    }

    [Fact]
    public async Task Members_are_added_from_file_or_in_place_change_role_and_leave_and_pickups_come_and_go()
    {
        using var session = await PageSession.StartAsync(app);
        var family = await session.Admin.CreateAsync("/api/v1/families", new { name = "Lund family" });
        var url = $"/families/{family["id"]}";
        var grandma = await session.Admin.CreateAsync("/api/v1/people", new { firstName = "Greta", lastName = "Lund" });

        var found = await session.PageAsync($"{url}?q=greta");
        found.TextOf("#found").ShouldContain("Greta Lund");
        var added = await session.SubmitAsync(url, new() { ["personId"] = $"{grandma["id"]}", ["role"] = "Adult" }, $"{url}?handler=AddMember");
        added.TextOf("#flash").ShouldBe("Added Greta Lund as an adult.");
        (await session.PageAsync($"{url}?q=greta")).QuerySelector("#found li").ShouldBeNull("already in the family");

        var child = await session.SubmitAsync(url, new() { ["NewMember.FirstName"] = "Nils", ["NewMember.Role"] = "Child", ["NewMember.BirthDate"] = "2019-01-01" }, $"{url}?handler=AddNewMember");
        child.TextOf("#member-list").ShouldContain("Nils Lund");

        var adult = await session.SubmitAsync(url, new() { ["personId"] = $"{grandma["id"]}", ["role"] = "Child" }, $"{url}?handler=ChangeRole");
        adult.TextOf("#flash").ShouldBe("Greta Lund is now a child of the family.");
        var removed = await session.SubmitAsync(url, new() { ["personId"] = $"{grandma["id"]}" }, $"{url}?handler=RemoveMember");
        removed.TextOf("#member-list").ShouldNotContain("Greta");

        using (var refused = await session.PostFormAsync(url, new() { ["Pickup.Name"] = " ", ["Pickup.Relationship"] = "aunt" }, $"{url}?handler=AddPickup"))
        {
            var page = Html.Parse(await refused.Content.ReadAsStringAsync(Cancel));
            page.FieldError("Pickup.Name").ShouldBe("Give the name of the person allowed to collect the children.");
        }
        var pickups = await session.SubmitAsync(url, new() { ["Pickup.Name"] = "Aunt Britt", ["Pickup.Relationship"] = "aunt", ["Pickup.Phone"] = "555 0111" }, $"{url}?handler=AddPickup");
        pickups.TextOf("#pickup-list").ShouldContain("Aunt Britt");
        var pickupId = pickups.QuerySelector("#pickup-list input[name=pickupId]")!.GetAttribute("value")!;
        var gone = await session.SubmitAsync(url, new() { ["pickupId"] = pickupId }, $"{url}?handler=RemovePickup");
        gone.QuerySelector("#pickup-list").ShouldBeNull();

        var detail = await session.Admin.GetJsonAsync($"/api/v1/families/{family["id"]}");
        detail["members"]!.AsArray().Select(m => (string)m!["displayName"]!).ShouldBe(["Nils Lund"]);
        detail["authorizedPickups"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task The_list_filters_sorts_and_downloads_exactly_the_filtered_families()
    {
        using var session = await PageSession.StartAsync(app);
        var north = (long)(await session.Admin.CreateAsync("/api/v1/campuses", new { name = "North" }))["id"]!;
        var adult = (long)(await session.Admin.CreateAsync("/api/v1/people", new { firstName = "A", lastName = "Adult" }))["id"]!;
        await session.Admin.CreateAsync("/api/v1/families", new { name = "Alm family", campusId = north, members = new[] { new { personId = adult, role = "adult" } } });
        await session.Admin.CreateAsync("/api/v1/families", new { name = "Berg family", campusId = north });
        await session.Admin.CreateAsync("/api/v1/families", new { name = "Cedar family", active = false });
        var archived = await session.Admin.CreateAsync("/api/v1/families", new { name = "Dahl family" });
        (await session.Admin.PostAsync($"/api/v1/families/{archived["id"]}/archive", new { })).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        static List<string> Names(AngleSharp.Dom.IDocument page) => [.. page.QuerySelectorAll("#families tbody tr a").Select(a => a.TextContent.Trim())];
        Names(await session.PageAsync("/families")).ShouldBe(["Alm family", "Berg family", "Cedar family"]);
        Names(await session.PageAsync($"/families?campusId={north}")).ShouldBe(["Alm family", "Berg family"]);
        Names(await session.PageAsync("/families?active=false")).ShouldBe(["Cedar family"]);
        Names(await session.PageAsync("/families?archived=true")).ShouldBe(["Dahl family"]);
        Names(await session.PageAsync("/families?q=ber")).ShouldBe(["Berg family"]);
        Names(await session.PageAsync("/families?sort=-members")).First().ShouldBe("Alm family");
        Names(await session.PageAsync("/families?sort=-name")).ShouldBe(["Cedar family", "Berg family", "Alm family"]);
        (await session.PageAsync("/families?sort=size")).TextOf("#list-errors").ShouldBe("Sort by name, members or updatedAt, with a leading '-' for descending order.");

        using var csv = await session.Browser.GetAsync($"/families?campusId={north}&handler=csv", Cancel);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var rows = (await csv.Content.ReadAsStringAsync(Cancel)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        rows.Skip(1).Select(r => r.Split(',')[1]).ShouldBe(["Alm family", "Berg family"]);
        var api = await session.Admin.GetJsonAsync($"/api/v1/families?campusId={north}");
        api["items"]!.AsArray().Select(f => (string)f!["name"]!).ShouldBe(["Alm family", "Berg family"]);
    }

    [Fact]
    public async Task Editing_a_family_saves_checks_as_the_api_and_a_stale_form_is_kept()
    {
        using var session = await PageSession.StartAsync(app);
        var family = await session.Admin.CreateAsync("/api/v1/families", new { name = "Ek family" });
        var url = $"/families/{family["id"]}/edit";

        var saved = await session.SubmitAsync(url, new() { ["Input.Name"] = "Ek household", ["Input.City"] = "Malmö", ["Input.Version"] = "0", ["Input.Active"] = "true" });
        saved.TextOf("h1").ShouldBe("Ek household");
        (await session.Admin.GetJsonAsync($"/api/v1/families/{family["id"]}"))["address"]!["city"]!.GetValue<string>().ShouldBe("Malmö");

        var before = await Fingerprint.OfAsync(app, session.OrganizationId);
        using (var response = await session.PostFormAsync(url, new() { ["Input.Name"] = "", ["Input.Version"] = "1" }))
        {
            Html.Parse(await response.Content.ReadAsStringAsync(Cancel)).FieldError("Input.Name").ShouldNotBeNull();
        }
        using (var response = await session.PostFormAsync(url, new() { ["Input.Name"] = "Old name", ["Input.Version"] = "0" }))
        {
            var page = Html.Parse(await response.Content.ReadAsStringAsync(Cancel));
            page.TextOf(".validation-summary-errors").ShouldContain("Someone else saved Ek household while you were editing");
            page.QuerySelector("[name='Input.Name']")!.GetAttribute("value").ShouldBe("Old name");
            page.QuerySelector("[name='Input.Version']")!.GetAttribute("value").ShouldBe("1");
        }
        (await Fingerprint.OfAsync(app, session.OrganizationId)).ShouldBe(before);
    }

    [Fact]
    public async Task Another_organizations_family_is_not_found_and_a_viewer_reads_but_may_not_change()
    {
        using var session = await PageSession.StartAsync(app);
        using var other = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var theirs = await other.CreateAsync("/api/v1/families", new { name = "Far family" });
        foreach (var url in new[] { $"/families/{theirs["id"]}", $"/families/{theirs["id"]}/edit" })
        {
            using var response = await session.Browser.GetAsync(url, Cancel);
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, url);
        }
        var mine = await session.Admin.CreateAsync("/api/v1/families", new { name = "Near family" });
        using (var response = await session.PostFormAsync($"/families/{mine["id"]}", new() { ["Pickup.Name"] = "X" }, $"/families/{theirs["id"]}?handler=AddPickup"))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        using var viewer = await session.AsAsync(app, OrganizationRole.Viewer);
        var page = await viewer.PageAsync($"/families/{mine["id"]}");
        page.QuerySelector("#pickup-form").ShouldBeNull();
        page.QuerySelector("#edit-family").ShouldBeNull();
        using (var response = await viewer.PostFormAsync($"/families/{mine["id"]}", new() { ["Pickup.Name"] = "X" }, $"/families/{mine["id"]}?handler=AddPickup"))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        await using var db = app.Database(other.OrganizationId);
        (await db.AuthorizedPickups.CountAsync(Cancel)).ShouldBe(0);
    }

    private async Task<long> FamilyIdAsync(PageSession session, string name)
    {
        await using var db = app.Database(session.OrganizationId);
        return await db.Families.Where(f => f.Name == name).Select(f => f.Id).SingleAsync(Cancel);
    }
}
