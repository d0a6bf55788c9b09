using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Features.Audit;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Privacy;
using Shouldly;

namespace Shepherd.Tests.Audit;

public sealed class AuditLogSqliteTests(SqliteApp app) : AuditLogTests<SqliteApp>(app);

public sealed class AuditLogPostgresTests(PostgresApp app) : AuditLogTests<PostgresApp>(app);

/// <summary>The audit log: who did what, when, from which address; filtered, exported, organization-scoped and never editable.</summary>
public abstract class AuditLogTests<TApp>(TApp app) where TApp : ShepherdApp
{
    [Fact]
    public async Task Changes_through_the_API_are_listed_newest_first_with_the_actor_and_the_client_address()
    {
        using var api = await app.NewOrganizationAsync();
        // The real pipeline, with the connection's address set as a reverse proxy's forwarded-headers handling would leave it.
        await using var proxied = app.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new ClientAddress("203.0.113.7"))));
        using var http = proxied.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token);
        using var created = await http.PostAsync("/api/v1/people", JsonContent(new { firstName = "Ada", lastName = "Audit" }));
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<long>();
        using var updated = await http.PutAsync($"/api/v1/people/{id}", JsonContent(new { firstName = "Ada", lastName = "Lovelace" }));
        updated.StatusCode.ShouldBe(HttpStatusCode.OK);

        var page = await api.GetJsonAsync($"/api/v1/audit?entityType=Person&entityId={id}");

        var items = page["items"]!.AsArray();
        page["totalCount"]!.GetValue<int>().ShouldBe(2);
        items.Select(i => i!["action"]!.GetValue<string>()).ShouldBe(["updated", "created"]);
        items.ShouldAllBe(i => i!["ipAddress"]!.GetValue<string>() == "203.0.113.7");
        items.ShouldAllBe(i => i!["actor"]!.GetValue<string>().StartsWith(api.AdminEmail, StringComparison.Ordinal));
        items[0]!["changes"]!["LastName"]!["from"]!.GetValue<string>().ShouldBe("Audit");
        items[0]!["changes"]!["LastName"]!["to"]!.GetValue<string>().ShouldBe("Lovelace");
        var byIp = await api.GetJsonAsync("/api/v1/audit?ip=203.0.113.7");
        byIp["totalCount"]!.GetValue<int>().ShouldBe(2);
        (await api.GetJsonAsync("/api/v1/audit?ip=198.51.100.1"))["totalCount"]!.GetValue<int>().ShouldBe(0);
    }

    [Fact]
    public async Task Security_events_recorded_by_the_audit_log_service_are_filtered_by_action_actor_and_time()
    {
        using var api = await app.NewOrganizationAsync();
        var log = app.Services.GetRequiredService<AuditLog>();
        long userId;
        await using (var db = app.Database(api.OrganizationId))
        {
            userId = await db.Users.Where(u => u.Email == api.AdminEmail).Select(u => u.Id).SingleAsync();
        }
        var actor = new AuditActor(userId, api.AdminEmail);
        await log.RecordAsync(api.OrganizationId, AuditAction.SignInFailed, "User", userId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            new { reason = "wrong password" }, actor, "2001:db8::5", TestContext.Current.CancellationToken);
        await log.RecordAsync(api.OrganizationId, AuditAction.SignedIn, "User", userId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            null, actor, "2001:db8::5", TestContext.Current.CancellationToken);
        await api.CreateAsync("/api/v1/people", new { firstName = "Noise", lastName = "Maker" });

        var signIns = await api.GetJsonAsync($"/api/v1/audit?action=signedIn,signInFailed&actorUserId={userId}");

        signIns["items"]!.AsArray().Select(i => i!["action"]!.GetValue<string>()).ShouldBe(["signedIn", "signInFailed"]);
        signIns["items"]![1]!["changes"]!["reason"]!.GetValue<string>().ShouldBe("wrong password");
        signIns["items"]![1]!["ipAddress"]!.GetValue<string>().ShouldBe("2001:db8::5");
        var repeated = await api.GetJsonAsync("/api/v1/audit?action=signedIn&action=signInFailed");
        repeated["totalCount"]!.GetValue<int>().ShouldBe(2);
        (await api.GetJsonAsync("/api/v1/audit?ip=2001:0db8:0:0:0:0:0:5"))["totalCount"]!.GetValue<int>().ShouldBe(2, "the address is compared in its normal form");
        var future = Uri.EscapeDataString(TimeProvider.System.GetUtcNow().AddHours(1).ToString("O"));
        (await api.GetJsonAsync($"/api/v1/audit?from={future}"))["totalCount"]!.GetValue<int>().ShouldBe(0);
        var past = Uri.EscapeDataString(TimeProvider.System.GetUtcNow().AddHours(-1).ToString("O"));
        (await api.GetJsonAsync($"/api/v1/audit?from={past}&to={future}&action=created&entityType=Person"))["totalCount"]!.GetValue<int>().ShouldBe(1);
        var paged = await api.GetJsonAsync("/api/v1/audit?pageSize=1&page=2");
        paged["items"]!.AsArray().Count.ShouldBe(1);
        paged["items"]![0]!["action"]!.GetValue<string>().ShouldBe("signedIn");
    }

    [Theory]
    [InlineData("action=teleported", "action")]
    [InlineData("action=created,3", "action")]
    [InlineData("entityType=Person%3Bdrop", "entityType")]
    [InlineData("actorUserId=abc", "actorUserId")]
    [InlineData("actorUserId=-4", "actorUserId")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-45", "to")]
    [InlineData("from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "from")]
    [InlineData("ip=999.1.1.1", "ip")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("page=0", "page")]
    public async Task A_bad_filter_is_a_400_naming_the_field(string query, string field)
    {
        using var api = await app.NewOrganizationAsync();

        await (await api.GetAsync($"/api/v1/audit?{query}")).ShouldBeValidationProblemAsync(field);
        if (!field.StartsWith("page", StringComparison.Ordinal))
        {
            await (await api.GetAsync($"/api/v1/audit/export?{query}")).ShouldBeValidationProblemAsync(field);
        }
    }

    [Fact]
    public async Task An_unknown_export_format_is_a_400_naming_the_field()
    {
        using var api = await app.NewOrganizationAsync();

        await (await api.GetAsync("/api/v1/audit/export?format=xlsx")).ShouldBeValidationProblemAsync("format");
    }

    [Fact]
    public async Task The_export_streams_csv_or_json_with_the_same_filters_and_is_itself_audited()
    {
        using var api = await app.NewOrganizationAsync();
        var person = await api.CreateAsync("/api/v1/people", new { firstName = "=HYPERLINK(\"x\")", lastName = "Comma, \"Quote\"" });
        await api.CreateAsync("/api/v1/campuses", new { name = "North" });

        using var csvResponse = await api.GetAsync($"/api/v1/audit/export?format=csv&entityType=Person&entityId={person["id"]}");
        var csv = await csvResponse.Content.ReadAsStringAsync();

        csvResponse.StatusCode.ShouldBe(HttpStatusCode.OK, csv);
        csvResponse.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        csvResponse.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("id,at,actorUserId,actor,action,entityType,entityId,changes,ipAddress");
        lines.Length.ShouldBe(2, csv);
        lines[1].ShouldContain(",created,Person,");
        lines[1].ShouldContain("\"\"Comma, \\u0022Quote\\u0022\"\"", customMessage: "JSON inside a quoted CSV field, quotes doubled");

        using var jsonResponse = await api.GetAsync("/api/v1/audit/export?format=json");
        var json = JsonNode.Parse(await jsonResponse.Content.ReadAsStringAsync())!.AsArray();
        jsonResponse.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        json.Take(4).Select(e => $"{e!["action"]} {e["entityType"]}").ShouldBe(
            ["exported AuditLog", "exported AuditLog", "created Campus", "created Person"], "newest first; both exports recorded");
        json[1]!["entityType"]!.GetValue<string>().ShouldBe("AuditLog");
        json[1]!["changes"]!["format"]!.GetValue<string>().ShouldBe("csv");
        json[1]!["changes"]!["filters"]!["entityId"]!.GetValue<string>().ShouldBe(person["id"]!.ToString());
    }

    [Fact]
    public async Task Another_organizations_entries_never_show_in_the_list_the_filters_or_the_export()
    {
        using var mine = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var marker = $"Secret{Guid.NewGuid():N}"[..20];
        var theirPerson = await theirs.CreateAsync("/api/v1/people", new { firstName = marker, lastName = "Other" });
        await mine.CreateAsync("/api/v1/people", new { firstName = "Mine", lastName = "Only" });

        var all = await mine.GetAsync("/api/v1/audit?pageSize=200");
        (await all.Content.ReadAsStringAsync()).ShouldNotContain(marker);
        (await mine.GetJsonAsync($"/api/v1/audit?entityType=Person&entityId={theirPerson["id"]}"))["totalCount"]!.GetValue<int>().ShouldBe(0);
        (await (await mine.GetAsync("/api/v1/audit/export?format=csv")).Content.ReadAsStringAsync()).ShouldNotContain(marker);
        (await (await mine.GetAsync("/api/v1/audit/export?format=json")).Content.ReadAsStringAsync()).ShouldNotContain(marker);
        (await (await theirs.GetAsync("/api/v1/audit")).Content.ReadAsStringAsync()).ShouldContain(marker);
    }

    [Fact]
    public async Task Saving_a_changed_or_deleted_audit_entry_is_refused_and_leaves_it_as_it_was()
    {
        using var api = await app.NewOrganizationAsync();
        var person = await api.CreateAsync("/api/v1/people", new { firstName = "Kept", lastName = "Record" });
        var entityId = person["id"]!.ToString();

        await using (var db = app.Database(api.OrganizationId))
        {
            var entry = await db.AuditEntries.SingleAsync(e => e.EntityType == "Person" && e.EntityId == entityId);
            entry.Actor = "someone else";
            var changed = await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync());
            changed.Message.ShouldContain("append-only");
        }
        await using (var db = app.Database(api.OrganizationId))
        {
            var entry = await db.AuditEntries.SingleAsync(e => e.EntityType == "Person" && e.EntityId == entityId);
            db.AuditEntries.Remove(entry);
            var deleted = await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync());
            deleted.Message.ShouldContain("append-only");
        }
        await using (var db = app.Database(api.OrganizationId))
        {
            var entry = await db.AuditEntries.AsNoTracking().SingleAsync(e => e.EntityType == "Person" && e.EntityId == entityId);
            entry.Actor.ShouldStartWith(api.AdminEmail);
        }
    }

    [Theory]
    [InlineData(OrganizationRole.Staff)]
    [InlineData(OrganizationRole.Viewer)]
    [InlineData(OrganizationRole.GroupLeader)]
    public async Task Only_administrators_read_or_export_the_audit_log(OrganizationRole role)
    {
        using var api = await app.NewOrganizationAsync();
        using var client = await app.NewMemberAsync(api.OrganizationId, role);
        var member = client.Http;

        (await member.GetAsync("/api/v1/audit")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await member.GetAsync("/api/v1/audit/export?format=csv")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await api.GetAsync("/api/v1/audit")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, ApiClient.Json), System.Text.Encoding.UTF8, "application/json");

    /// <summary>Sets the connection's remote address first thing in the pipeline.</summary>
    private sealed class ClientAddress(string address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(address);
                return following(context);
            });
            next(app);
        };
    }
}
