using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.People;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Api;

public sealed class GroupsApiSqliteTests(SqliteApp app) : GroupsApiTests<SqliteApp>(app);

public sealed class GroupsApiPostgresTests(PostgresApp app) : GroupsApiTests<PostgresApp>(app);

/// <summary>/api/v1/groups and its members on each provider.</summary>
public abstract class GroupsApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    [Fact]
    public async Task A_created_group_can_be_read_back_with_its_etag_leaders_and_members()
    {
        using var api = await app.NewOrganizationAsync();
        var campus = await api.CreateAsync("/api/v1/campuses", new { name = "North" });
        var ann = await AddPersonAsync(api, "Ann", "Lee");
        var bob = await AddPersonAsync(api, "Bob", "Kim");
        var created = await api.CreateAsync("/api/v1/groups", new
        {
            name = "  Tuesday Men  ",
            description = "Bible study",
            kind = "smallGroup",
            meetingDay = "tuesday",
            meetingTime = "19:30",
            location = "Room 4",
            campusId = campus["id"]!.GetValue<long>(),
        });
        var url = $"/api/v1/groups/{created["id"]}";
        await api.CreateAsync($"{url}/members", new { personId = ann, role = "leader", joinedOn = "2026-01-04" });
        await api.CreateAsync($"{url}/members", new { personId = bob });

        using var response = await api.GetAsync(url);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.ShouldBe("\"0\"");
        var group = await api.GetJsonAsync(url);
        group["name"]!.GetValue<string>().ShouldBe("Tuesday Men");
        group["kind"]!.GetValue<string>().ShouldBe("smallGroup");
        group["meetingDay"]!.GetValue<string>().ShouldBe("tuesday");
        group["meetingTime"]!.GetValue<string>().ShouldBe("19:30");
        group["campusId"]!.GetValue<long>().ShouldBe(campus["id"]!.GetValue<long>());
        var leader = group["leaders"]!.AsArray().ShouldHaveSingleItem()!;
        leader["personId"]!.GetValue<long>().ShouldBe(ann);
        leader["name"]!.GetValue<string>().ShouldBe("Ann Lee");
        leader["role"]!.GetValue<string>().ShouldBe("leader");
        leader["joinedOn"]!.GetValue<string>().ShouldBe("2026-01-04");
        var member = group["members"]!.AsArray().ShouldHaveSingleItem()!;
        member["name"]!.GetValue<string>().ShouldBe("Bob Kim");
        member["role"]!.GetValue<string>().ShouldBe("member");
    }

    [Fact]
    public async Task The_list_is_paged_sorted_by_name_and_counts_members_and_leaders()
    {
        using var api = await app.NewOrganizationAsync();
        var ids = new Dictionary<string, long>();
        foreach (var name in new[] { "Youth", "Choir", "Men" })
        {
            ids[name] = (await api.CreateAsync("/api/v1/groups", new { name }))["id"]!.GetValue<long>();
        }
        var ann = await AddPersonAsync(api, "Ann", "Lee");
        var bob = await AddPersonAsync(api, "Bob", "Kim");
        var cy = await AddPersonAsync(api, "Cy", "Ng");
        await api.CreateAsync($"/api/v1/groups/{ids["Choir"]}/members", new { personId = ann, role = "leader" });
        await api.CreateAsync($"/api/v1/groups/{ids["Choir"]}/members", new { personId = bob });
        await api.CreateAsync($"/api/v1/groups/{ids["Choir"]}/members", new { personId = cy });

        var page = await api.GetJsonAsync("/api/v1/groups?page=1&pageSize=2");

        page["totalCount"]!.GetValue<int>().ShouldBe(3);
        var items = page["items"]!.AsArray();
        items.Select(i => i!["name"]!.GetValue<string>()).ShouldBe(["Choir", "Men"]);
        items[0]!["memberCount"]!.GetValue<int>().ShouldBe(2);
        items[0]!["leaderCount"]!.GetValue<int>().ShouldBe(1);
        items[1]!["memberCount"]!.GetValue<int>().ShouldBe(0);
        var second = await api.GetJsonAsync("/api/v1/groups?page=2&pageSize=2");
        second["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ShouldBe(["Youth"]);
    }

    [Fact]
    public async Task The_list_filters_by_name_kind_campus_and_active()
    {
        using var api = await app.NewOrganizationAsync();
        var north = (await api.CreateAsync("/api/v1/campuses", new { name = "North" }))["id"]!.GetValue<long>();
        await api.CreateAsync("/api/v1/groups", new { name = "Men's Breakfast", kind = "ministry", campusId = north });
        await api.CreateAsync("/api/v1/groups", new { name = "Women's Study", kind = "smallGroup" });
        await api.CreateAsync("/api/v1/groups", new { name = "Old 50% Club", kind = "smallGroup", active = false });

        async Task<string[]> Names(string query) =>
            [.. (await api.GetJsonAsync($"/api/v1/groups?{query}"))["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>())];

        (await Names("q=STUDY")).ShouldBe(["Women's Study"]);
        (await Names("q=50%25")).ShouldBe(["Old 50% Club"]);
        (await Names("q=%25")).ShouldBe(["Old 50% Club"]);
        (await Names("kind=smallGroup")).ShouldBe(["Old 50% Club", "Women's Study"]);
        (await Names("kind=ministry")).ShouldBe(["Men's Breakfast"]);
        (await Names($"campusId={north}")).ShouldBe(["Men's Breakfast"]);
        (await Names("active=false")).ShouldBe(["Old 50% Club"]);
        (await Names("active=true&kind=smallGroup")).ShouldBe(["Women's Study"]);
    }

    [Fact]
    public async Task An_archived_group_leaves_the_list_unless_asked_for_and_can_be_restored()
    {
        using var api = await app.NewOrganizationAsync();
        var id = (await api.CreateAsync("/api/v1/groups", new { name = "Choir" }))["id"]!.GetValue<long>();
        await api.CreateAsync("/api/v1/groups", new { name = "Youth" });

        using var archived = await api.PostAsync($"/api/v1/groups/{id}/archive", new { });
        archived.StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await api.GetJsonAsync("/api/v1/groups"))["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ShouldBe(["Youth"]);
        (await api.GetJsonAsync("/api/v1/groups?includeArchived=true"))["totalCount"]!.GetValue<int>().ShouldBe(2);
        (await api.GetJsonAsync($"/api/v1/groups/{id}"))["archivedAt"].ShouldNotBeNull();

        (await api.PostAsync($"/api/v1/groups/{id}/restore", new { })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await api.GetJsonAsync("/api/v1/groups"))["totalCount"]!.GetValue<int>().ShouldBe(2);
        await using var db = app.Database(api.OrganizationId);
        (await db.Groups.SingleAsync(g => g.Id == id)).ArchivedAt.ShouldBeNull();
    }

    [Fact]
    public async Task An_update_replaces_the_fields_and_a_stale_etag_is_refused()
    {
        using var api = await app.NewOrganizationAsync();
        var created = await api.CreateAsync("/api/v1/groups", new { name = "Choir", meetingDay = "sunday", meetingTime = "08:00" });
        var url = $"/api/v1/groups/{created["id"]}";

        using var ok = await api.PutAsync(url, new { name = "Adult Choir", kind = "team", meetingDay = "wednesday", meetingTime = "18:45" });
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        ok.Headers.ETag!.Tag.ShouldBe("\"1\"");

        using var stale = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(new { name = "Overwritten" }) };
        stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"0\""));
        await (await api.Http.SendAsync(stale)).ShouldBeProblemAsync(HttpStatusCode.PreconditionFailed);

        var group = await api.GetJsonAsync(url);
        group["name"]!.GetValue<string>().ShouldBe("Adult Choir");
        group["kind"]!.GetValue<string>().ShouldBe("team");
        group["meetingDay"]!.GetValue<string>().ShouldBe("wednesday");
        group["meetingTime"]!.GetValue<string>().ShouldBe("18:45");
    }

    [Theory]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"   "}""", "name")]
    [InlineData("""{}""", "name")]
    [InlineData("""{"name":5}""", "name")]
    [InlineData("""{"name":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}""", "name")]
    [InlineData("""{"name":"Choir","kind":"choir"}""", "kind")]
    [InlineData("""{"name":"Choir","meetingDay":"funday"}""", "meetingDay")]
    [InlineData("""{"name":"Choir","meetingDay":0}""", "meetingDay")]
    [InlineData("""{"name":"Choir","meetingTime":"25:00"}""", "meetingTime")]
    [InlineData("""{"name":"Choir","meetingTime":"7pm"}""", "meetingTime")]
    [InlineData("""{"name":"Choir","campusId":999999999}""", "campusId")]
    [InlineData("""{"name":"Choir","campusId":"north"}""", "campusId")]
    [InlineData("""{"name":"Choir""", "name")]
    [InlineData("""nope""", "body")]
    public async Task Bad_input_is_a_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        using var api = await app.NewOrganizationAsync();

        using var response = await api.SendRawAsync(HttpMethod.Post, "/api/v1/groups", body);

        await response.ShouldBeValidationProblemAsync(field);
        await using var db = app.Database(api.OrganizationId);
        (await db.Groups.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task A_description_over_2000_characters_is_refused()
    {
        using var api = await app.NewOrganizationAsync();

        using var response = await api.PostAsync("/api/v1/groups", new { name = "Choir", description = new string('x', 2001) });

        await response.ShouldBeValidationProblemAsync("description");
    }

    [Theory]
    [InlineData("pageSize=500", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("kind=huge", "kind")]
    [InlineData("kind=1", "kind")]
    public async Task Bad_list_parameters_are_a_400(string query, string field)
    {
        using var api = await app.NewOrganizationAsync();

        await (await api.GetAsync($"/api/v1/groups?{query}")).ShouldBeValidationProblemAsync(field);
    }

    [Fact]
    public async Task Members_can_be_added_changed_listed_and_removed()
    {
        using var api = await app.NewOrganizationAsync();
        var url = $"/api/v1/groups/{(await api.CreateAsync("/api/v1/groups", new { name = "Choir" }))["id"]}";
        var people = new List<long>();
        foreach (var (first, last) in new[] { ("Ann", "Lee"), ("Bob", "Kim"), ("Cy", "Ng") })
        {
            var id = await AddPersonAsync(api, first, last);
            people.Add(id);
            await api.CreateAsync($"{url}/members", new { personId = id });
        }

        using var changed = await api.PutAsync($"{url}/members/{people[2]}", new { role = "leader" });
        changed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await api.DeleteAsync($"{url}/members/{people[1]}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var page = await api.GetJsonAsync($"{url}/members?pageSize=1");
        page["totalCount"]!.GetValue<int>().ShouldBe(2);
        var first1 = page["items"]!.AsArray().ShouldHaveSingleItem()!;
        first1["name"]!.GetValue<string>().ShouldBe("Cy Ng");
        first1["role"]!.GetValue<string>().ShouldBe("leader");
        var second = await api.GetJsonAsync($"{url}/members?pageSize=1&page=2");
        second["items"]![0]!["name"]!.GetValue<string>().ShouldBe("Ann Lee");
        await (await api.DeleteAsync($"{url}/members/{people[1]}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await api.PutAsync($"{url}/members/{people[1]}", new { role = "leader" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await api.GetAsync($"{url}/members?pageSize=201")).ShouldBeValidationProblemAsync("pageSize");
    }

    [Fact]
    public async Task Adding_a_member_twice_is_a_conflict_and_an_unknown_person_is_a_400()
    {
        using var api = await app.NewOrganizationAsync();
        var url = $"/api/v1/groups/{(await api.CreateAsync("/api/v1/groups", new { name = "Choir" }))["id"]}/members";
        var ann = await AddPersonAsync(api, "Ann", "Lee");
        await api.CreateAsync(url, new { personId = ann });

        await (await api.PostAsync(url, new { personId = ann, role = "leader" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await api.PostAsync(url, new { personId = 987654321 })).ShouldBeValidationProblemAsync("personId");
        await (await api.PostAsync(url, new { })).ShouldBeValidationProblemAsync("personId");
        await (await api.PostAsync(url, new { personId = ann, role = "boss" })).ShouldBeValidationProblemAsync("role");
        await (await api.PutAsync($"{url}/{ann}", new { })).ShouldBeValidationProblemAsync("role");

        await using var db = app.Database(api.OrganizationId);
        var member = await db.GroupMembers.SingleAsync();
        member.Role.ShouldBe(Data.Groups.GroupRole.Member);
    }

    [Fact]
    public async Task Another_organizations_group_is_not_found_and_its_people_and_campuses_are_refused()
    {
        using var mine = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var their = await theirs.CreateAsync("/api/v1/groups", new { name = "Theirs" });
        var theirPerson = await AddPersonAsync(theirs, "Tess", "Other");
        var theirCampus = (await theirs.CreateAsync("/api/v1/campuses", new { name = "Their campus" }))["id"]!.GetValue<long>();
        await theirs.CreateAsync($"/api/v1/groups/{their["id"]}/members", new { personId = theirPerson });
        var url = $"/api/v1/groups/{their["id"]}";

        await (await mine.GetAsync(url)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PutAsync(url, new { name = "Mine now" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PostAsync($"{url}/archive", new { })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.GetAsync($"{url}/members")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.DeleteAsync($"{url}/members/{theirPerson}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await mine.GetJsonAsync("/api/v1/groups?includeArchived=true"))["totalCount"]!.GetValue<int>().ShouldBe(0);

        var myGroup = await mine.CreateAsync("/api/v1/groups", new { name = "Mine" });
        await (await mine.PostAsync($"/api/v1/groups/{myGroup["id"]}/members", new { personId = theirPerson }))
            .ShouldBeValidationProblemAsync("personId");
        await (await mine.PostAsync("/api/v1/groups", new { name = "Elsewhere", campusId = theirCampus }))
            .ShouldBeValidationProblemAsync("campusId");

        var still = await theirs.GetJsonAsync(url);
        still["name"]!.GetValue<string>().ShouldBe("Theirs");
        still["archivedAt"].ShouldBeNull();
        still["members"]!.AsArray().Count.ShouldBe(1);
    }

    private async Task<long> AddPersonAsync(ApiClient api, string first, string last)
    {
        await using var db = app.Database(api.OrganizationId);
        var person = new Person { FirstName = first, LastName = last };
        person.RefreshSearchColumns();
        db.People.Add(person);
        await db.SaveChangesAsync();
        return person.Id;
    }
}
