using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Api;

public sealed class FamiliesApiSqliteTests(SqliteApp app) : FamiliesApiTests<SqliteApp>(app);

public sealed class FamiliesApiPostgresTests(PostgresApp app) : FamiliesApiTests<PostgresApp>(app);

/// <summary>/api/v1/families on each provider.</summary>
public abstract class FamiliesApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    private static async Task<long> PersonAsync(ApiClient api, string first, string last, string? birthDate = null) =>
        (await api.CreateAsync("/api/v1/people", new { firstName = first, lastName = last, birthDate }))["id"]!.GetValue<long>();

    private static string[] Names(JsonObject page) => [.. page["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>())];

    [Fact]
    public async Task A_family_is_created_with_members_and_pickups_and_read_back_with_its_etag()
    {
        using var api = await app.NewOrganizationAsync();
        var dad = await PersonAsync(api, "Tom", "Berg", "1980-01-01");
        var kid = await PersonAsync(api, "Liv", "Berg", "2018-05-05");
        var grandma = await PersonAsync(api, "Eva", "Holm");
        var campus = (await api.CreateAsync("/api/v1/campuses", new { name = "North" }))["id"]!.GetValue<long>();

        var created = await api.CreateAsync("/api/v1/families", new
        {
            name = "Berg family",
            address = new { city = "Springfield" },
            homePhone = "555 1234",
            campusId = campus,
            members = new object[] { new { personId = kid, role = "child" }, new { personId = dad, role = "adult" } },
            authorizedPickups = new object[] { new { personId = grandma, relationship = "Grandmother" }, new { name = "Ann Neighbour", phone = "555 9999" } },
        });

        using var response = await api.GetAsync($"/api/v1/families/{created["id"]}");
        response.Headers.ETag!.Tag.ShouldBe("\"0\"");
        var family = await api.GetJsonAsync($"/api/v1/families/{created["id"]}");
        family["name"]!.GetValue<string>().ShouldBe("Berg family");
        family["address"]!["city"]!.GetValue<string>().ShouldBe("Springfield");
        family["campusId"]!.GetValue<long>().ShouldBe(campus);
        var members = family["members"]!.AsArray();
        members.Select(m => m!["personId"]!.GetValue<long>()).ShouldBe([dad, kid]);
        members[1]!["role"]!.GetValue<string>().ShouldBe("child");
        members[1]!["birthDate"]!.GetValue<string>().ShouldBe("2018-05-05");
        members[0]!["displayName"]!.GetValue<string>().ShouldBe("Tom Berg");
        var pickups = family["authorizedPickups"]!.AsArray();
        pickups.Select(p => p!["name"]!.GetValue<string>()).ShouldBe(["Ann Neighbour", "Eva Holm"]);
        pickups[1]!["personId"]!.GetValue<long>().ShouldBe(grandma);
        pickups[1]!["relationship"]!.GetValue<string>().ShouldBe("Grandmother");

        var person = await api.GetJsonAsync($"/api/v1/people/{kid}");
        person["families"]![0]!["familyName"]!.GetValue<string>().ShouldBe("Berg family");
        person["families"]![0]!["role"]!.GetValue<string>().ShouldBe("child");
    }

    [Fact]
    public async Task The_list_is_paged_sorted_by_name_and_counts_members()
    {
        using var api = await app.NewOrganizationAsync();
        var p1 = await PersonAsync(api, "A", "One");
        var p2 = await PersonAsync(api, "B", "Two");
        await api.CreateAsync("/api/v1/families", new { name = "Young" });
        await api.CreateAsync("/api/v1/families", new { name = "Adams", members = new[] { new { personId = p1, role = "adult" }, new { personId = p2, role = "child" } } });
        await api.CreateAsync("/api/v1/families", new { name = "Berg" });

        var first = await api.GetJsonAsync("/api/v1/families?page=1&pageSize=2");
        first["totalCount"]!.GetValue<int>().ShouldBe(3);
        Names(first).ShouldBe(["Adams", "Berg"]);
        first["items"]![0]!["memberCount"]!.GetValue<int>().ShouldBe(2);
        first["items"]![1]!["memberCount"]!.GetValue<int>().ShouldBe(0);
        Names(await api.GetJsonAsync("/api/v1/families?page=2&pageSize=2")).ShouldBe(["Young"]);
        Names(await api.GetJsonAsync("/api/v1/families?sort=-name")).ShouldBe(["Young", "Berg", "Adams"]);
    }

    [Fact]
    public async Task Filters_by_search_active_and_campus()
    {
        using var api = await app.NewOrganizationAsync();
        var north = (await api.CreateAsync("/api/v1/campuses", new { name = "North" }))["id"]!.GetValue<long>();
        await api.CreateAsync("/api/v1/families", new { name = "Berg family", campusId = north });
        await api.CreateAsync("/api/v1/families", new { name = "Holm family", active = false });
        await api.CreateAsync("/api/v1/families", new { name = "Lind" });

        Names(await api.GetJsonAsync("/api/v1/families?q=FAMILY")).ShouldBe(["Berg family", "Holm family"]);
        Names(await api.GetJsonAsync("/api/v1/families?active=false")).ShouldBe(["Holm family"]);
        Names(await api.GetJsonAsync("/api/v1/families?active=true")).ShouldBe(["Berg family", "Lind"]);
        Names(await api.GetJsonAsync($"/api/v1/families?campusId={north}")).ShouldBe(["Berg family"]);
    }

    [Theory]
    [InlineData("/api/v1/families?pageSize=100000", "pageSize")]
    [InlineData("/api/v1/families?sort=size", "sort")]
    public async Task Bad_list_parameters_are_a_400_naming_the_parameter(string url, string field)
    {
        using var api = await app.NewOrganizationAsync();

        await (await api.GetAsync(url)).ShouldBeValidationProblemAsync(field);
    }

    [Fact]
    public async Task Archiving_hides_a_family_from_the_list_and_restoring_brings_it_back()
    {
        using var api = await app.NewOrganizationAsync();
        var berg = await api.CreateAsync("/api/v1/families", new { name = "Berg" });
        await api.CreateAsync("/api/v1/families", new { name = "Lind" });
        var url = $"/api/v1/families/{berg["id"]}";

        (await api.Http.PostAsync($"{url}/archive", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await api.Http.PostAsync($"{url}/archive", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        Names(await api.GetJsonAsync("/api/v1/families")).ShouldBe(["Lind"]);
        Names(await api.GetJsonAsync("/api/v1/families?includeArchived=true")).ShouldBe(["Berg", "Lind"]);
        (await api.GetJsonAsync(url))["archivedAt"].ShouldNotBeNull();

        (await api.Http.PostAsync($"{url}/restore", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        Names(await api.GetJsonAsync("/api/v1/families")).ShouldBe(["Berg", "Lind"]);
    }

    [Fact]
    public async Task An_update_changes_fields_but_not_members_and_honours_the_etag()
    {
        using var api = await app.NewOrganizationAsync();
        var dad = await PersonAsync(api, "Tom", "Berg");
        var created = await api.CreateAsync("/api/v1/families", new { name = "Berg", members = new[] { new { personId = dad, role = "adult" } } });
        var url = $"/api/v1/families/{created["id"]}";

        using var response = await api.PutAsync(url, new { name = "Berg-Holm", homePhone = "555 0000", members = Array.Empty<object>() });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Headers.ETag!.Tag.ShouldBe("\"1\"");

        using var stale = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(new { name = "Overwritten" }) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"0\""));
        await (await api.Http.SendAsync(stale)).ShouldBeProblemAsync(HttpStatusCode.PreconditionFailed);

        var family = await api.GetJsonAsync(url);
        family["name"]!.GetValue<string>().ShouldBe("Berg-Holm");
        family["homePhone"]!.GetValue<string>().ShouldBe("555 0000");
        family["members"]!.AsArray().Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("""{}""", "name")]
    [InlineData("""{"name":"   "}""", "name")]
    [InlineData("""{"name":5}""", "name")]
    [InlineData("""{"name":"Berg","homePhone":"5555555555555555555555555555555"}""", "homePhone")]
    [InlineData("""{"name":"Berg","campusId":999999999}""", "campusId")]
    [InlineData("""{"name":"Berg","members":[{"personId":999999999,"role":"adult"}]}""", "members[0].personId")]
    [InlineData("""{"name":"Berg","members":[{"personId":1}]}""", "members[0].role")]
    [InlineData("""{"name":"Berg","members":[{"personId":1,"role":"uncle"}]}""", "members[0].role")]
    [InlineData("""{"name":"Berg","authorizedPickups":[{"relationship":"Aunt"}]}""", "authorizedPickups[0].name")]
    [InlineData("""{"name":"Berg","authorizedPickups":[{"personId":999999999}]}""", "authorizedPickups[0].personId")]
    [InlineData("""{"name":"Berg""", "name")]
    [InlineData("""[]""", "body")]
    public async Task Bad_input_is_a_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        using var api = await app.NewOrganizationAsync();

        using var response = await api.SendRawAsync(HttpMethod.Post, "/api/v1/families", body);

        await response.ShouldBeValidationProblemAsync(field);
        await using var db = app.Database(api.OrganizationId);
        (await db.Families.CountAsync()).ShouldBe(0);
        (await db.FamilyMembers.CountAsync()).ShouldBe(0);
        (await db.AuthorizedPickups.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task A_name_over_200_characters_is_refused()
    {
        using var api = await app.NewOrganizationAsync();

        await (await api.PostAsync("/api/v1/families", new { name = new string('x', 201) })).ShouldBeValidationProblemAsync("name");
    }

    [Fact]
    public async Task A_person_listed_twice_is_refused_and_nothing_is_written()
    {
        using var api = await app.NewOrganizationAsync();
        var dad = await PersonAsync(api, "Tom", "Berg");
        var good = await PersonAsync(api, "Liv", "Berg");

        using var response = await api.PostAsync("/api/v1/families", new
        {
            name = "Berg",
            members = new[] { new { personId = good, role = "child" }, new { personId = dad, role = "adult" }, new { personId = dad, role = "child" } },
        });

        await response.ShouldBeValidationProblemAsync("members[2].personId");
        await using var db = app.Database(api.OrganizationId);
        (await db.Families.CountAsync()).ShouldBe(0);
        (await db.FamilyMembers.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Members_are_added_changed_and_removed()
    {
        using var api = await app.NewOrganizationAsync();
        var family = await api.CreateAsync("/api/v1/families", new { name = "Berg" });
        var kid = await PersonAsync(api, "Liv", "Berg");
        var url = $"/api/v1/families/{family["id"]}/members";

        var added = await api.CreateAsync(url, new { personId = kid, role = "child" });
        added["displayName"]!.GetValue<string>().ShouldBe("Liv Berg");
        await (await api.PostAsync(url, new { personId = kid, role = "adult" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        using var changed = await api.PutAsync($"{url}/{kid}", new { role = "adult" });
        changed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await api.GetJsonAsync($"/api/v1/families/{family["id"]}"))["members"]![0]!["role"]!.GetValue<string>().ShouldBe("adult");
        (await api.GetJsonAsync("/api/v1/families"))["items"]![0]!["memberCount"]!.GetValue<int>().ShouldBe(1);

        (await api.DeleteAsync($"{url}/{kid}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await api.DeleteAsync($"{url}/{kid}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await api.PutAsync($"{url}/{kid}", new { role = "adult" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await api.GetJsonAsync($"/api/v1/families/{family["id"]}"))["members"]!.AsArray().ShouldBeEmpty();
        (await api.GetJsonAsync($"/api/v1/people/{kid}"))["firstName"]!.GetValue<string>().ShouldBe("Liv");
    }

    [Fact]
    public async Task Adding_an_unknown_person_or_a_bad_role_is_a_400_and_writes_nothing()
    {
        using var api = await app.NewOrganizationAsync();
        var family = await api.CreateAsync("/api/v1/families", new { name = "Berg" });
        var kid = await PersonAsync(api, "Liv", "Berg");
        var url = $"/api/v1/families/{family["id"]}/members";

        await (await api.PostAsync(url, new { personId = 999_999_999, role = "child" })).ShouldBeValidationProblemAsync("personId");
        await (await api.PostAsync(url, new { role = "child" })).ShouldBeValidationProblemAsync("personId");
        await (await api.SendRawAsync(HttpMethod.Post, url, $$"""{"personId":{{kid}},"role":"pet"}""")).ShouldBeValidationProblemAsync("role");
        await (await api.SendRawAsync(HttpMethod.Put, $"{url}/{kid}", "{}")).ShouldBeValidationProblemAsync("role");
        await using var db = app.Database(api.OrganizationId);
        (await db.FamilyMembers.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Pickups_are_added_and_removed()
    {
        using var api = await app.NewOrganizationAsync();
        var family = await api.CreateAsync("/api/v1/families", new { name = "Berg" });
        var grandma = await PersonAsync(api, "Eva", "Holm");
        var url = $"/api/v1/families/{family["id"]}/pickups";

        var byPerson = await api.CreateAsync(url, new { personId = grandma, relationship = "Grandmother" });
        byPerson["name"]!.GetValue<string>().ShouldBe("Eva Holm");
        var byName = await api.CreateAsync(url, new { name = " Ann Neighbour ", phone = "555 9999" });
        byName["name"]!.GetValue<string>().ShouldBe("Ann Neighbour");
        await (await api.PostAsync(url, new { relationship = "Aunt" })).ShouldBeValidationProblemAsync("name");
        await (await api.PostAsync(url, new { personId = 999_999_999 })).ShouldBeValidationProblemAsync("personId");
        await (await api.PostAsync(url, new { name = new string('x', 201) })).ShouldBeValidationProblemAsync("name");

        (await api.DeleteAsync($"{url}/{byPerson["id"]}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await api.DeleteAsync($"{url}/{byPerson["id"]}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        var pickups = (await api.GetJsonAsync($"/api/v1/families/{family["id"]}"))["authorizedPickups"]!.AsArray();
        pickups.Select(p => p!["name"]!.GetValue<string>()).ShouldBe(["Ann Neighbour"]);
    }

    [Fact]
    public async Task Another_organizations_family_and_people_are_not_found()
    {
        using var mine = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var theirPerson = await PersonAsync(theirs, "Their", "Kid");
        var their = await theirs.CreateAsync("/api/v1/families", new { name = "Theirs", members = new[] { new { personId = theirPerson, role = "child" } } });
        var pickup = await theirs.CreateAsync($"/api/v1/families/{their["id"]}/pickups", new { name = "Someone" });
        var url = $"/api/v1/families/{their["id"]}";
        var myPerson = await PersonAsync(mine, "My", "Kid");
        var myFamily = await mine.CreateAsync("/api/v1/families", new { name = "Mine" });

        await (await mine.GetAsync(url)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PutAsync(url, new { name = "Mine now" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.Http.PostAsync($"{url}/archive", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PostAsync($"{url}/members", new { personId = myPerson, role = "child" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PutAsync($"{url}/members/{theirPerson}", new { role = "adult" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.DeleteAsync($"{url}/members/{theirPerson}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PostAsync($"{url}/pickups", new { name = "Me" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.DeleteAsync($"{url}/pickups/{pickup["id"]}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PostAsync($"/api/v1/families/{myFamily["id"]}/members", new { personId = theirPerson, role = "child" }))
            .ShouldBeValidationProblemAsync("personId");
        Names(await mine.GetJsonAsync("/api/v1/families")).ShouldBe(["Mine"]);

        var still = await theirs.GetJsonAsync(url);
        still["name"]!.GetValue<string>().ShouldBe("Theirs");
        still["archivedAt"].ShouldBeNull();
        still["members"]!.AsArray().Count.ShouldBe(1);
        still["authorizedPickups"]!.AsArray().Count.ShouldBe(1);
    }
}
