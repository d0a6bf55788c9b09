using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.People;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Api;

public sealed class BadgesApiSqliteTests(SqliteApp app) : BadgesApiTests<SqliteApp>(app);

public sealed class BadgesApiPostgresTests(PostgresApp app) : BadgesApiTests<PostgresApp>(app);

/// <summary>/api/v1/badge-types and /api/v1/people/{personId}/badges on each provider.</summary>
public abstract class BadgesApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    [Fact]
    public async Task A_created_badge_type_can_be_read_back_with_its_etag()
    {
        using var api = await app.NewOrganizationAsync();
        var created = await api.CreateAsync("/api/v1/badge-types",
            new { name = " Baptized ", description = "Baptized at this church", color = "#3366CC", icon = "water" });

        using var response = await api.GetAsync($"/api/v1/badge-types/{created["id"]}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.ShouldBe("\"0\"");
        var type = await api.GetJsonAsync($"/api/v1/badge-types/{created["id"]}");
        type["name"]!.GetValue<string>().ShouldBe("Baptized");
        type["description"]!.GetValue<string>().ShouldBe("Baptized at this church");
        type["color"]!.GetValue<string>().ShouldBe("#3366cc");
        type["icon"]!.GetValue<string>().ShouldBe("water");
        type["active"]!.GetValue<bool>().ShouldBeTrue();
        type["awardedCount"]!.GetValue<int>().ShouldBe(0);
    }

    [Fact]
    public async Task The_list_is_paged_sorted_by_name_filtered_by_active_and_counts_awards()
    {
        using var api = await app.NewOrganizationAsync();
        var personId = await AddPersonAsync(api, "Ann", "Lee");
        var volunteer = await api.CreateAsync("/api/v1/badge-types", new { name = "Volunteer" });
        await api.CreateAsync("/api/v1/badge-types", new { name = "Baptized" });
        await api.CreateAsync("/api/v1/badge-types", new { name = "Member class", active = false });
        await api.CreateAsync($"/api/v1/people/{personId}/badges", new { badgeTypeId = volunteer["id"]!.GetValue<long>(), awardedOn = "2025-01-01" });
        await api.CreateAsync($"/api/v1/people/{personId}/badges", new { badgeTypeId = volunteer["id"]!.GetValue<long>(), awardedOn = "2026-01-01" });

        var page = await api.GetJsonAsync("/api/v1/badge-types?page=1&pageSize=2");
        page["totalCount"]!.GetValue<int>().ShouldBe(3);
        page["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ShouldBe(["Baptized", "Member class"]);
        var second = await api.GetJsonAsync("/api/v1/badge-types?page=2&pageSize=2");
        second["items"]!.AsArray().Single()!["awardedCount"]!.GetValue<int>().ShouldBe(2);

        var active = await api.GetJsonAsync("/api/v1/badge-types?active=true");
        active["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ShouldBe(["Baptized", "Volunteer"]);
        var retired = await api.GetJsonAsync("/api/v1/badge-types?active=false");
        retired["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ShouldBe(["Member class"]);
        await (await api.GetAsync("/api/v1/badge-types?pageSize=100000")).ShouldBeValidationProblemAsync("pageSize");
        await (await api.GetAsync("/api/v1/badge-types?active=maybe")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_duplicate_name_is_a_conflict_on_create_and_update()
    {
        using var api = await app.NewOrganizationAsync();
        await api.CreateAsync("/api/v1/badge-types", new { name = "Baptized" });
        var other = await api.CreateAsync("/api/v1/badge-types", new { name = "Volunteer" });

        await (await api.PostAsync("/api/v1/badge-types", new { name = "Baptized" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await api.PutAsync($"/api/v1/badge-types/{other["id"]}", new { name = "Baptized" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        await using var db = app.Database(api.OrganizationId);
        (await db.BadgeTypes.Select(t => t.Name).OrderBy(n => n).ToListAsync()).ShouldBe(["Baptized", "Volunteer"]);
    }

    [Theory]
    [InlineData("""{}""", "name")]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"NAME_201"}""", "name")]
    [InlineData("""{"name":"Baptized","color":"red"}""", "color")]
    [InlineData("""{"name":"Baptized","color":"#12345"}""", "color")]
    [InlineData("""{"name":"Baptized","color":"#12345g"}""", "color")]
    [InlineData("""{"name":"Baptized","description":"DESCRIPTION_1001"}""", "description")]
    [InlineData("""{"name":"Baptized","icon":"ICON_51"}""", "icon")]
    [InlineData("""{"name":"Baptized","active":"yes"}""", "active")]
    [InlineData("""{"name":"Baptized""", "name")]
    [InlineData("""[]""", "body")]
    public async Task Bad_badge_type_input_is_a_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        using var api = await app.NewOrganizationAsync();
        body = body.Replace("NAME_201", new string('n', 201), StringComparison.Ordinal)
            .Replace("DESCRIPTION_1001", new string('d', 1001), StringComparison.Ordinal)
            .Replace("ICON_51", new string('i', 51), StringComparison.Ordinal);

        using var response = await api.SendRawAsync(HttpMethod.Post, "/api/v1/badge-types", body);

        await response.ShouldBeValidationProblemAsync(field);
        await using var db = app.Database(api.OrganizationId);
        (await db.BadgeTypes.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task An_update_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        using var api = await app.NewOrganizationAsync();
        var created = await api.CreateAsync("/api/v1/badge-types", new { name = "Baptized" });
        var url = $"/api/v1/badge-types/{created["id"]}";
        (await api.PutAsync(url, new { name = "Baptised", color = "#00aa00", active = false })).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var stale = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(new { name = "Overwritten" }) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"0\""));
        await (await api.Http.SendAsync(stale)).ShouldBeProblemAsync(HttpStatusCode.PreconditionFailed);

        var stored = await api.GetJsonAsync(url);
        stored["name"]!.GetValue<string>().ShouldBe("Baptised");
        stored["color"]!.GetValue<string>().ShouldBe("#00aa00");
        stored["active"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task An_awarded_badge_type_cannot_be_deleted_but_an_unused_one_can()
    {
        using var api = await app.NewOrganizationAsync();
        var personId = await AddPersonAsync(api, "Ann", "Lee");
        var awarded = await api.CreateAsync("/api/v1/badge-types", new { name = "Baptized" });
        var unused = await api.CreateAsync("/api/v1/badge-types", new { name = "Old" });
        await api.CreateAsync($"/api/v1/people/{personId}/badges", new { badgeTypeId = awarded["id"]!.GetValue<long>() });

        var problem = await (await api.DeleteAsync($"/api/v1/badge-types/{awarded["id"]}")).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        problem["detail"]!.GetValue<string>().ShouldContain("active");
        (await api.DeleteAsync($"/api/v1/badge-types/{unused["id"]}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await (await api.GetAsync($"/api/v1/badge-types/{unused["id"]}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await api.GetJsonAsync($"/api/v1/badge-types/{awarded["id"]}"))["awardedCount"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task A_badge_is_awarded_by_the_caller_and_listed_with_its_type()
    {
        using var api = await app.NewOrganizationAsync();
        var personId = await AddPersonAsync(api, "Ann", "Lee");
        var type = await api.CreateAsync("/api/v1/badge-types", new { name = "Baptized", color = "#112233" });
        var typeId = type["id"]!.GetValue<long>();

        var badge = await api.CreateAsync($"/api/v1/people/{personId}/badges", new { badgeTypeId = typeId, note = "Easter" });
        var older = await api.CreateAsync($"/api/v1/people/{personId}/badges", new { badgeTypeId = typeId, awardedOn = "2020-04-12" });

        badge["awardedOn"]!.GetValue<string>().ShouldBe(Today().ToString("yyyy-MM-dd"));
        await using var db = app.Database(api.OrganizationId);
        var userId = await db.Users.Where(u => u.Email == api.AdminEmail).Select(u => u.Id).SingleAsync();
        badge["awardedByUserId"]!.GetValue<long>().ShouldBe(userId);
        var list = await api.GetJsonAsync($"/api/v1/people/{personId}/badges");
        list["totalCount"]!.GetValue<int>().ShouldBe(2);
        var items = list["items"]!.AsArray();
        items.Select(i => i!["id"]!.GetValue<long>()).ShouldBe([badge["id"]!.GetValue<long>(), older["id"]!.GetValue<long>()]);
        items[0]!["badgeTypeName"]!.GetValue<string>().ShouldBe("Baptized");
        items[0]!["badgeTypeColor"]!.GetValue<string>().ShouldBe("#112233");
        items[0]!["note"]!.GetValue<string>().ShouldBe("Easter");
    }

    [Fact]
    public async Task A_badge_can_be_revoked_only_through_its_own_person()
    {
        using var api = await app.NewOrganizationAsync();
        var ann = await AddPersonAsync(api, "Ann", "Lee");
        var bob = await AddPersonAsync(api, "Bob", "Lee");
        var type = await api.CreateAsync("/api/v1/badge-types", new { name = "Baptized" });
        var badge = await api.CreateAsync($"/api/v1/people/{ann}/badges", new { badgeTypeId = type["id"]!.GetValue<long>() });

        await (await api.DeleteAsync($"/api/v1/people/{bob}/badges/{badge["id"]}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await api.DeleteAsync($"/api/v1/people/{ann}/badges/{badge["id"]}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await api.GetJsonAsync($"/api/v1/people/{ann}/badges"))["totalCount"]!.GetValue<int>().ShouldBe(0);
        await (await api.DeleteAsync($"/api/v1/people/{ann}/badges/{badge["id"]}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{}""", "badgeTypeId")]
    [InlineData("""{"badgeTypeId":"abc"}""", "badgeTypeId")]
    [InlineData("""{"badgeTypeId":999999999}""", "badgeTypeId")]
    [InlineData("""{"badgeTypeId":RETIRED}""", "badgeTypeId")]
    [InlineData("""{"badgeTypeId":ACTIVE,"awardedOn":"TOMORROW"}""", "awardedOn")]
    [InlineData("""{"badgeTypeId":ACTIVE,"awardedOn":"yesterday"}""", "awardedOn")]
    [InlineData("""{"badgeTypeId":ACTIVE,"note":"NOTE_501"}""", "note")]
    [InlineData("""{"badgeTypeId":ACTIVE""", "badgeTypeId")]
    public async Task Bad_award_input_is_a_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        using var api = await app.NewOrganizationAsync();
        var personId = await AddPersonAsync(api, "Ann", "Lee");
        var active = await api.CreateAsync("/api/v1/badge-types", new { name = "Baptized" });
        var retired = await api.CreateAsync("/api/v1/badge-types", new { name = "Old", active = false });
        body = body.Replace("RETIRED", retired["id"]!.ToJsonString(), StringComparison.Ordinal)
            .Replace("ACTIVE", active["id"]!.ToJsonString(), StringComparison.Ordinal)
            .Replace("TOMORROW", Today().AddDays(2).ToString("yyyy-MM-dd"), StringComparison.Ordinal)
            .Replace("NOTE_501", new string('x', 501), StringComparison.Ordinal);

        using var response = await api.SendRawAsync(HttpMethod.Post, $"/api/v1/people/{personId}/badges", body);

        await response.ShouldBeValidationProblemAsync(field);
        await using var db = app.Database(api.OrganizationId);
        (await db.Badges.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Another_organizations_badge_type_cannot_be_awarded()
    {
        using var mine = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var personId = await AddPersonAsync(mine, "Ann", "Lee");
        var theirType = await theirs.CreateAsync("/api/v1/badge-types", new { name = "Theirs" });

        var problem = await (await mine.PostAsync($"/api/v1/people/{personId}/badges", new { badgeTypeId = theirType["id"]!.GetValue<long>() }))
            .ShouldBeValidationProblemAsync("badgeTypeId");

        problem["errors"]!["badgeTypeId"]![0]!.GetValue<string>().ShouldContain("in your organization");
        await using var db = app.Database(mine.OrganizationId);
        (await db.Badges.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task The_holders_of_a_badge_type_are_paged_by_name_with_their_latest_award()
    {
        using var api = await app.NewOrganizationAsync();
        var zoe = await AddPersonAsync(api, "Zoe", "Adams");
        var ann = await AddPersonAsync(api, "Ann", "Lee");
        var bob = await AddPersonAsync(api, "Bob", "Lee");
        await AddPersonAsync(api, "Cid", "Nobadge");
        var type = await api.CreateAsync("/api/v1/badge-types", new { name = "Background check" });
        var other = await api.CreateAsync("/api/v1/badge-types", new { name = "Other" });
        var typeId = type["id"]!.GetValue<long>();
        await api.CreateAsync($"/api/v1/people/{ann}/badges", new { badgeTypeId = typeId, awardedOn = "2024-05-01" });
        await api.CreateAsync($"/api/v1/people/{ann}/badges", new { badgeTypeId = typeId, awardedOn = "2025-05-01" });
        await api.CreateAsync($"/api/v1/people/{bob}/badges", new { badgeTypeId = typeId, awardedOn = "2025-06-01" });
        await api.CreateAsync($"/api/v1/people/{zoe}/badges", new { badgeTypeId = typeId, awardedOn = "2025-07-01" });
        await api.CreateAsync($"/api/v1/people/{zoe}/badges", new { badgeTypeId = other["id"]!.GetValue<long>() });

        var page = await api.GetJsonAsync($"/api/v1/badge-types/{typeId}/people?page=1&pageSize=2");

        page["totalCount"]!.GetValue<int>().ShouldBe(3);
        var items = page["items"]!.AsArray();
        items.Select(i => i!["personId"]!.GetValue<long>()).ShouldBe([zoe, ann]);
        items[1]!["awardedOn"]!.GetValue<string>().ShouldBe("2025-05-01");
        var rest = await api.GetJsonAsync($"/api/v1/badge-types/{typeId}/people?page=2&pageSize=2");
        rest["items"]!.AsArray().Select(i => i!["personId"]!.GetValue<long>()).ShouldBe([bob]);
        await (await api.GetAsync($"/api/v1/badge-types/{typeId}/people?pageSize=100000")).ShouldBeValidationProblemAsync("pageSize");
    }

    [Fact]
    public async Task Another_organizations_badge_types_people_and_badges_are_not_found()
    {
        using var mine = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var theirPerson = await AddPersonAsync(theirs, "Ann", "Lee");
        var theirType = await theirs.CreateAsync("/api/v1/badge-types", new { name = "Theirs" });
        var theirBadge = await theirs.CreateAsync($"/api/v1/people/{theirPerson}/badges", new { badgeTypeId = theirType["id"]!.GetValue<long>() });
        var myPerson = await AddPersonAsync(mine, "Bob", "Lee");
        var typeUrl = $"/api/v1/badge-types/{theirType["id"]}";

        await (await mine.GetAsync(typeUrl)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.GetAsync($"{typeUrl}/people")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PutAsync(typeUrl, new { name = "Mine now" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.DeleteAsync(typeUrl)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.GetAsync($"/api/v1/people/{theirPerson}/badges")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PostAsync($"/api/v1/people/{theirPerson}/badges", new { badgeTypeId = theirType["id"]!.GetValue<long>() }))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.DeleteAsync($"/api/v1/people/{theirPerson}/badges/{theirBadge["id"]}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.DeleteAsync($"/api/v1/people/{myPerson}/badges/{theirBadge["id"]}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        (await theirs.GetJsonAsync(typeUrl))["awardedCount"]!.GetValue<int>().ShouldBe(1);
        (await mine.GetJsonAsync("/api/v1/badge-types"))["totalCount"]!.GetValue<int>().ShouldBe(0);
    }

    /// <summary>Today as the app's clock sees it (new organizations use UTC).</summary>
    private DateOnly Today() => DateOnly.FromDateTime(app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);

    private async Task<long> AddPersonAsync(ApiClient api, string firstName, string lastName)
    {
        await using var db = app.Database(api.OrganizationId);
        var person = new Person { FirstName = firstName, LastName = lastName };
        person.RefreshSearchColumns();
        db.People.Add(person);
        await db.SaveChangesAsync();
        return person.Id;
    }
}
