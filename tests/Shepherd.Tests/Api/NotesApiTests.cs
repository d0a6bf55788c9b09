using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.People;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Api;

public sealed class NotesApiSqliteTests(SqliteApp app) : NotesApiTests<SqliteApp>(app);

public sealed class NotesApiPostgresTests(PostgresApp app) : NotesApiTests<PostgresApp>(app);

/// <summary>/api/v1/people/{personId}/notes and /api/v1/notes/{id}: authorship, visibility and the usual API rules.</summary>
public abstract class NotesApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    [Fact]
    public async Task A_note_is_signed_by_the_caller_and_can_be_read_back_with_its_etag()
    {
        using var api = await app.NewOrganizationAsync();
        var personId = await AddPersonAsync(api);

        var created = await api.CreateAsync($"/api/v1/people/{personId}/notes",
            new { text = "  Visited in hospital.  ", visibility = "pastors", noteDate = "2026-01-05" });

        using var response = await api.GetAsync($"/api/v1/notes/{created["id"]}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.ShouldBe("\"0\"");
        var note = await api.GetJsonAsync($"/api/v1/notes/{created["id"]}");
        note["text"]!.GetValue<string>().ShouldBe("Visited in hospital.");
        note["visibility"]!.GetValue<string>().ShouldBe("pastors");
        note["noteDate"]!.GetValue<string>().ShouldBe("2026-01-05");
        note["personId"]!.GetValue<long>().ShouldBe(personId);
        note["authorName"]!.GetValue<string>().ShouldBe(api.AdminEmail);
        await using var db = app.Database(api.OrganizationId);
        var userId = await db.Users.Where(u => u.Email == api.AdminEmail).Select(u => u.Id).SingleAsync();
        note["authorUserId"]!.GetValue<long>().ShouldBe(userId);
    }

    [Fact]
    public async Task Visibility_defaults_to_staff_and_the_date_to_today()
    {
        using var api = await app.NewOrganizationAsync();
        var personId = await AddPersonAsync(api);

        var note = await api.CreateAsync($"/api/v1/people/{personId}/notes", new { text = "Asked about baptism." });

        note["visibility"]!.GetValue<string>().ShouldBe("staff");
        note["noteDate"]!.GetValue<string>().ShouldBe(Today().ToString("yyyy-MM-dd"));
    }

    [Fact]
    public async Task The_list_is_paged_newest_date_first_with_the_latest_written_first_on_the_same_day()
    {
        using var api = await app.NewOrganizationAsync();
        var personId = await AddPersonAsync(api);
        var otherPersonId = await AddPersonAsync(api, "Bob");
        var url = $"/api/v1/people/{personId}/notes";
        var first = await api.CreateAsync(url, new { text = "first", noteDate = "2026-01-01" });
        var second = await api.CreateAsync(url, new { text = "second", noteDate = "2026-03-01" });
        var third = await api.CreateAsync(url, new { text = "third", noteDate = "2026-03-01" });
        await api.CreateAsync($"/api/v1/people/{otherPersonId}/notes", new { text = "someone else", noteDate = "2026-02-01" });

        var page = await api.GetJsonAsync($"{url}?page=1&pageSize=2");

        page["totalCount"]!.GetValue<int>().ShouldBe(3);
        page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<long>()).ShouldBe([third["id"]!.GetValue<long>(), second["id"]!.GetValue<long>()]);
        var rest = await api.GetJsonAsync($"{url}?page=2&pageSize=2");
        rest["items"]!.AsArray().Select(i => i!["id"]!.GetValue<long>()).ShouldBe([first["id"]!.GetValue<long>()]);
        await (await api.GetAsync($"{url}?pageSize=100000")).ShouldBeValidationProblemAsync("pageSize");
    }

    [Theory]
    [InlineData("""{}""", "text")]
    [InlineData("""{"text":""}""", "text")]
    [InlineData("""{"text":"   "}""", "text")]
    [InlineData("""{"text":"TOO_LONG"}""", "text")]
    [InlineData("""{"text":5}""", "text")]
    [InlineData("""{"text":"Hello","visibility":"everyone"}""", "visibility")]
    [InlineData("""{"text":"Hello","noteDate":"2026-02-30"}""", "noteDate")]
    [InlineData("""{"text":"Hello","noteDate":"TOMORROW"}""", "noteDate")]
    [InlineData("""{"text":"Hello""", "text")]
    [InlineData("""nope""", "body")]
    public async Task Bad_input_is_a_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        using var api = await app.NewOrganizationAsync();
        var personId = await AddPersonAsync(api);
        body = body.Replace("TOO_LONG", new string('x', 20_001), StringComparison.Ordinal)
            .Replace("TOMORROW", Today().AddDays(2).ToString("yyyy-MM-dd"), StringComparison.Ordinal);

        using var response = await api.SendRawAsync(HttpMethod.Post, $"/api/v1/people/{personId}/notes", body);

        await response.ShouldBeValidationProblemAsync(field);
        await using var db = app.Database(api.OrganizationId);
        (await db.Notes.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task An_author_only_note_is_hidden_from_everyone_else()
    {
        using var api = await app.NewOrganizationAsync();
        using var colleague = await ColleagueAsync(api);
        var personId = await AddPersonAsync(api);
        var url = $"/api/v1/people/{personId}/notes";
        var secret = await api.CreateAsync(url, new { text = "Private counselling.", visibility = "authorOnly" });
        var shared = await api.CreateAsync(url, new { text = "Joined the choir." });
        var noteUrl = $"/api/v1/notes/{secret["id"]}";

        await (await colleague.GetAsync(noteUrl)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await colleague.PutAsync(noteUrl, new { text = "Changed" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await colleague.DeleteAsync(noteUrl)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        var theirList = await colleague.GetJsonAsync(url);
        theirList["totalCount"]!.GetValue<int>().ShouldBe(1);
        theirList["items"]!.AsArray().Select(i => i!["id"]!.GetValue<long>()).ShouldBe([shared["id"]!.GetValue<long>()]);

        (await api.GetJsonAsync(noteUrl))["text"]!.GetValue<string>().ShouldBe("Private counselling.");
        (await api.GetJsonAsync(url))["totalCount"]!.GetValue<int>().ShouldBe(2);
    }

    [Fact]
    public async Task Colleagues_can_read_a_staff_note_but_only_its_author_may_edit_or_delete_it()
    {
        using var api = await app.NewOrganizationAsync();
        using var colleague = await ColleagueAsync(api);
        var personId = await AddPersonAsync(api);
        var note = await api.CreateAsync($"/api/v1/people/{personId}/notes", new { text = "Needs a ride on Sundays." });
        var url = $"/api/v1/notes/{note["id"]}";

        (await colleague.GetJsonAsync(url))["text"]!.GetValue<string>().ShouldBe("Needs a ride on Sundays.");
        await (await colleague.PutAsync(url, new { text = "Rewritten" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await colleague.DeleteAsync(url)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        var stored = await api.GetJsonAsync(url);
        stored["text"]!.GetValue<string>().ShouldBe("Needs a ride on Sundays.");
        stored["version"]!.GetValue<int>().ShouldBe(0);
    }

    [Fact]
    public async Task The_author_can_edit_with_a_matching_etag_but_not_a_stale_one_and_can_delete()
    {
        using var api = await app.NewOrganizationAsync();
        var personId = await AddPersonAsync(api);
        var note = await api.CreateAsync($"/api/v1/people/{personId}/notes", new { text = "Draft", noteDate = "2026-01-05" });
        var url = $"/api/v1/notes/{note["id"]}";

        using var current = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(new { text = "Final", visibility = "authorOnly" }) };
        current.Headers.IfMatch.Add(new EntityTagHeaderValue("\"0\""));
        using var updated = await api.Http.SendAsync(current);
        updated.StatusCode.ShouldBe(HttpStatusCode.OK);
        updated.Headers.ETag!.Tag.ShouldBe("\"1\"");

        using var stale = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(new { text = "Overwritten" }) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"0\""));
        await (await api.Http.SendAsync(stale)).ShouldBeProblemAsync(HttpStatusCode.PreconditionFailed);

        var stored = await api.GetJsonAsync(url);
        stored["text"]!.GetValue<string>().ShouldBe("Final");
        stored["visibility"]!.GetValue<string>().ShouldBe("authorOnly");
        stored["noteDate"]!.GetValue<string>().ShouldBe("2026-01-05");

        (await api.DeleteAsync(url)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await api.GetAsync(url)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_update_with_an_empty_text_is_refused_and_changes_nothing()
    {
        using var api = await app.NewOrganizationAsync();
        var personId = await AddPersonAsync(api);
        var note = await api.CreateAsync($"/api/v1/people/{personId}/notes", new { text = "Keep me" });
        var url = $"/api/v1/notes/{note["id"]}";

        await (await api.PutAsync(url, new { text = "" })).ShouldBeValidationProblemAsync("text");

        (await api.GetJsonAsync(url))["text"]!.GetValue<string>().ShouldBe("Keep me");
    }

    [Fact]
    public async Task An_unknown_or_foreign_person_and_a_foreign_note_are_not_found()
    {
        using var mine = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var theirPerson = await AddPersonAsync(theirs);
        var theirNote = await theirs.CreateAsync($"/api/v1/people/{theirPerson}/notes", new { text = "Theirs" });
        var noteUrl = $"/api/v1/notes/{theirNote["id"]}";

        await (await mine.GetAsync($"/api/v1/people/{theirPerson}/notes")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PostAsync($"/api/v1/people/{theirPerson}/notes", new { text = "Mine" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.GetAsync("/api/v1/people/999999999/notes")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.GetAsync(noteUrl)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PutAsync(noteUrl, new { text = "Mine now" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.DeleteAsync(noteUrl)).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        (await theirs.GetJsonAsync(noteUrl))["text"]!.GetValue<string>().ShouldBe("Theirs");
        await using var db = app.Database(theirs.OrganizationId);
        (await db.Notes.CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task The_audit_log_records_note_changes_without_their_text()
    {
        using var api = await app.NewOrganizationAsync();
        var personId = await AddPersonAsync(api);
        await api.CreateAsync($"/api/v1/people/{personId}/notes", new { text = "Confidential marriage counselling" });

        await using var db = app.Database(api.OrganizationId);
        var entry = await db.AuditEntries.SingleAsync(a => a.EntityType == "Note");
        entry.Actor.ShouldContain(api.AdminEmail);
        (entry.Changes ?? "").ShouldNotContain("Confidential");
    }

    /// <summary>Today as the app's clock sees it (new organizations use UTC).</summary>
    private DateOnly Today() => DateOnly.FromDateTime(app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);

    private async Task<long> AddPersonAsync(ApiClient api, string firstName = "Ann")
    {
        await using var db = app.Database(api.OrganizationId);
        var person = new Person { FirstName = firstName, LastName = "Lee" };
        person.RefreshSearchColumns();
        db.People.Add(person);
        await db.SaveChangesAsync();
        return person.Id;
    }

    /// <summary>A second user of the same organization with their own token.</summary>
    private async Task<ApiClient> ColleagueAsync(ApiClient api)
    {
        string organizationName;
        await using (var db = app.Database(api.OrganizationId))
        {
            organizationName = (await db.Organizations.FindAsync(api.OrganizationId))!.Name;
        }
        var email = $"colleague-{Guid.NewGuid():N}@example.org";
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AdministratorSetup>()
                .CreateAsync(email, "correct horse battery staple", organizationName, CancellationToken.None);
        }
        await using var tokenScope = app.Services.CreateAsyncScope();
        var token = await tokenScope.ServiceProvider.GetRequiredService<ApiTokenIssuer>()
            .IssueAsync(email, "t", organizationName, [ApiScopes.Read, ApiScopes.Write], null, CancellationToken.None);
        var http = app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return new ApiClient(http, api.OrganizationId, email, token.Token);
    }
}
