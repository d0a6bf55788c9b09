using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Api;

public sealed class CampusesApiSqliteTests(SqliteApp app) : CampusesApiTests<SqliteApp>(app);

public sealed class CampusesApiPostgresTests(PostgresApp app) : CampusesApiTests<PostgresApp>(app);

/// <summary>/api/v1/campuses on each provider: the model for every feature's API tests.</summary>
public abstract class CampusesApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    [Fact]
    public async Task A_created_campus_can_be_read_back_with_its_etag()
    {
        using var api = await app.NewOrganizationAsync();
        var created = await api.CreateAsync("/api/v1/campuses", new { name = "North", address = new { city = "Springfield" } });

        using var response = await api.GetAsync($"/api/v1/campuses/{created["id"]}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.ShouldBe("\"0\"");
        var campus = await api.GetJsonAsync($"/api/v1/campuses/{created["id"]}");
        campus["name"]!.GetValue<string>().ShouldBe("North");
        campus["address"]!["city"]!.GetValue<string>().ShouldBe("Springfield");
        campus["active"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task The_list_is_paged_and_sorted_by_name()
    {
        using var api = await app.NewOrganizationAsync();
        foreach (var name in new[] { "West", "East", "North" })
        {
            await api.CreateAsync("/api/v1/campuses", new { name });
        }

        var page = await api.GetJsonAsync("/api/v1/campuses?page=1&pageSize=2");

        page["totalCount"]!.GetValue<int>().ShouldBe(3);
        page["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ShouldBe(["East", "North"]);
        var second = await api.GetJsonAsync("/api/v1/campuses?page=2&pageSize=2");
        second["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ShouldBe(["West"]);
    }

    [Fact]
    public async Task An_update_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        using var api = await app.NewOrganizationAsync();
        var created = await api.CreateAsync("/api/v1/campuses", new { name = "North" });
        var url = $"/api/v1/campuses/{created["id"]}";
        (await api.PutAsync(url, new { name = "North Campus" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var stale = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(new { name = "Overwritten" }) };
        stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"0\""));
        using var response = await api.Http.SendAsync(stale);

        await response.ShouldBeProblemAsync(HttpStatusCode.PreconditionFailed);
        (await api.GetJsonAsync(url))["name"]!.GetValue<string>().ShouldBe("North Campus");
    }

    [Fact]
    public async Task A_duplicate_name_is_a_conflict()
    {
        using var api = await app.NewOrganizationAsync();
        await api.CreateAsync("/api/v1/campuses", new { name = "North" });

        using var response = await api.PostAsync("/api/v1/campuses", new { name = "North" });

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{}""", "name")]
    [InlineData("""{"name":5}""", "name")]
    [InlineData("""{"name":"North","address":{"city":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}""", "address.city")]
    [InlineData("""{"name":"North","active":"yes"}""", "active")]
    [InlineData("""{"name":"North""", "name")]
    [InlineData("""nope""", "body")]
    public async Task Bad_input_is_a_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        using var api = await app.NewOrganizationAsync();

        using var response = await api.SendRawAsync(HttpMethod.Post, "/api/v1/campuses", body);

        await response.ShouldBeValidationProblemAsync(field);
        await using var db = app.Database(api.OrganizationId);
        (await db.Campuses.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task A_campus_in_use_cannot_be_deleted_but_an_unused_one_can()
    {
        using var api = await app.NewOrganizationAsync();
        var used = await api.CreateAsync("/api/v1/campuses", new { name = "Main" });
        var unused = await api.CreateAsync("/api/v1/campuses", new { name = "Old" });
        await api.CreateAsync("/api/v1/services", new { campusId = used["id"]!.GetValue<long>(), name = "Sunday", kind = "worship", startsAt = "2026-11-22T10:00:00Z" });

        await (await api.DeleteAsync($"/api/v1/campuses/{used["id"]}")).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await api.DeleteAsync($"/api/v1/campuses/{unused["id"]}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await api.GetAsync($"/api/v1/campuses/{unused["id"]}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_organizations_campus_is_not_found()
    {
        using var mine = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var their = await theirs.CreateAsync("/api/v1/campuses", new { name = "Theirs" });
        var url = $"/api/v1/campuses/{their["id"]}";

        await (await mine.GetAsync(url)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PutAsync(url, new { name = "Mine now" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.DeleteAsync(url)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await theirs.GetJsonAsync(url))["name"]!.GetValue<string>().ShouldBe("Theirs");
    }

    [Fact]
    public async Task Changes_are_written_to_the_audit_log_with_the_actor()
    {
        using var api = await app.NewOrganizationAsync();
        var created = await api.CreateAsync("/api/v1/campuses", new { name = "North" });
        await api.PutAsync($"/api/v1/campuses/{created["id"]}", new { name = "South" });

        await using var db = app.Database(api.OrganizationId);
        var entries = await db.AuditEntries.Where(a => a.EntityType == "Campus").OrderBy(a => a.Id).ToListAsync();
        entries.Select(e => e.Action.ToString()).ShouldBe(["Created", "Updated"]);
        entries[1].Changes!.ShouldContain("South");
        entries[1].Actor.ShouldContain(api.AdminEmail);
    }
}
