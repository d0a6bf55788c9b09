using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data;
using Shepherd.Data.Alerting;
using Shepherd.Data.Audit;
using Shepherd.Operations.Alerting.Channels;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Alerting;

public sealed class AlertChannelApiSqliteTests(SqliteApp app) : AlertChannelApiTests<SqliteApp>(app);

public sealed class AlertChannelApiPostgresTests(PostgresApp app) : AlertChannelApiTests<PostgresApp>(app);

/// <summary>`/api/operations/alerts/channels` with a platform administrator's token: every field checked, secrets never read back.</summary>
public abstract class AlertChannelApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    private const string Route = AlertChannelEndpoints.Route;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_channel_is_created_listed_changed_tested_and_deleted_and_its_secret_and_url_path_are_never_read_back()
    {
        using var platform = await app.NewOrganizationAsync(platformAdministrator: true, cancellationToken: Cancel);
        await using var receiver = await WebhookReceiver.StartAsync();
        var name = $"Hook {Guid.NewGuid():N}";
        var url = receiver.Url("/hooks/private-path-part?key=private-query-part");

        var created = await platform.CreateAsync(Route, new { name, kind = "webhook", target = url, minimumSeverity = "P1", escalation = true });
        var id = created["id"]!.GetValue<long>();
        var secret = created["secret"]!.GetValue<string>();
        secret.Length.ShouldBeGreaterThanOrEqualTo(43, "32 random bytes");
        created["kind"]!.GetValue<string>().ShouldBe("Webhook");
        created["target"]!.GetValue<string>().ShouldBe($"{receiver.BaseUrl}/…");
        created["enabled"]!.GetValue<bool>().ShouldBeTrue();
        created["escalation"]!.GetValue<bool>().ShouldBeTrue();

        var listed = await ListTextAsync(platform);
        listed.ShouldContain(name);
        listed.ShouldNotContain(secret);
        listed.ShouldNotContain("private-path-part");
        listed.ShouldNotContain("private-query-part");
        var row = Find(JsonNode.Parse(listed)!.AsArray(), id);
        row["hasSecret"]!.GetValue<bool>().ShouldBeTrue();
        row["minimumSeverity"]!.GetValue<string>().ShouldBe("P1");
        row.ContainsKey("secret").ShouldBeFalse();

        // Omitting the secret keeps it: the test notification is signed with the one given at creation.
        using (var changed = await platform.PutAsync($"{Route}/{id}", new { name = name + " v2", kind = "Webhook", target = url, minimumSeverity = "P0", enabled = true }))
        {
            var text = await changed.Content.ReadAsStringAsync(Cancel);
            changed.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            text.ShouldNotContain(secret);
            JsonNode.Parse(text)!["minimumSeverity"]!.GetValue<string>().ShouldBe("P0");
        }
        using (var tested = await platform.PostAsync($"{Route}/{id}/test", new { }))
        {
            var result = JsonNode.Parse(await tested.Content.ReadAsStringAsync(Cancel))!;
            tested.StatusCode.ShouldBe(HttpStatusCode.OK);
            result["sent"]!.GetValue<bool>().ShouldBeTrue(result.ToJsonString());
        }
        var request = receiver.Received.ShouldHaveSingleItem();
        request.Headers["X-Shepherd-Event"].ShouldBe("Test");
        var payload = JsonNode.Parse(request.Body)!;
        payload["version"]!.GetValue<int>().ShouldBe(1);
        payload["kind"]!.GetValue<string>().ShouldBe("Test");
        payload["sentBy"]!.GetValue<string>().ShouldBe("shepherd");
        payload["alerts"]!.AsArray().ShouldBeEmpty();
        var timestamp = request.Headers["X-Shepherd-Timestamp"];
        request.Headers["X-Shepherd-Signature"].ShouldBe("sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes($"{timestamp}.{request.Body}"))));
        await using (var db = Database())
        {
            var test = await db.AlertNotifications.SingleAsync(n => n.ChannelId == id, Cancel);
            test.Kind.ShouldBe(AlertNotificationKind.Test);
            test.Status.ShouldBe(AlertDeliveryStatus.Sent);
            test.Subject.ShouldBe("Shepherd test notification");
            test.Body.ShouldContain(platform.AdminEmail);
        }

        (await platform.DeleteAsync($"{Route}/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await ListTextAsync(platform)).ShouldNotContain(name);
        await (await platform.DeleteAsync($"{Route}/{id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await platform.PostAsync($"{Route}/{id}/test", new { })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await platform.PutAsync($"{Route}/{id}", new { name, kind = "Slack", target = url })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_failing_test_answers_200_with_the_error_and_records_it_on_the_channel()
    {
        using var platform = await app.NewOrganizationAsync(platformAdministrator: true, cancellationToken: Cancel);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailFirst = 1;
        var created = await platform.CreateAsync(Route, new { name = $"Slack {Guid.NewGuid():N}", kind = "Slack", target = receiver.Url("/T/B/secret") });
        var id = created["id"]!.GetValue<long>();
        created.ContainsKey("secret").ShouldBeFalse("only a Webhook channel has a secret");

        using var tested = await platform.PostAsync($"{Route}/{id}/test", new { });
        var result = JsonNode.Parse(await tested.Content.ReadAsStringAsync(Cancel))!;

        tested.StatusCode.ShouldBe(HttpStatusCode.OK);
        result["sent"]!.GetValue<bool>().ShouldBeFalse();
        result["error"]!.GetValue<string>().ShouldBe("127.0.0.1 answered 500 Internal Server Error");
        var row = Find(JsonNode.Parse(await ListTextAsync(platform))!.AsArray(), id);
        row["lastError"]!.GetValue<string>().ShouldBe("127.0.0.1 answered 500 Internal Server Error");
        row["lastFailureAt"].ShouldNotBeNull();
        await using var db = Database();
        (await db.AlertNotifications.SingleAsync(n => n.ChannelId == id, Cancel)).Status.ShouldBe(AlertDeliveryStatus.Failed);
    }

    [Theory]
    [InlineData("name", """{"kind":"Email","target":"a@example.org"}""")]
    [InlineData("name", """{"name":"   ","kind":"Email","target":"a@example.org"}""")]
    [InlineData("name", """{"name":"TOO_LONG","kind":"Email","target":"a@example.org"}""")]
    [InlineData("kind", """{"name":"NAME","target":"a@example.org"}""")]
    [InlineData("kind", """{"name":"NAME","kind":"Pager","target":"a@example.org"}""")]
    [InlineData("kind", """{"name":"NAME","kind":"1","target":"https://hooks.slack.com/x"}""")]
    [InlineData("target", """{"name":"NAME","kind":"Email"}""")]
    [InlineData("target", """{"name":"NAME","kind":"Email","target":"not an address"}""")]
    [InlineData("target", """{"name":"NAME","kind":"Email","target":"a@example.org, nobody"}""")]
    [InlineData("target", """{"name":"NAME","kind":"Email","target":"TWENTY_ONE"}""")]
    [InlineData("target", """{"name":"NAME","kind":"Slack","target":"hooks.slack.com/services/x"}""")]
    [InlineData("target", """{"name":"NAME","kind":"Teams","target":"http://teams.example.org/hook"}""")]
    [InlineData("target", """{"name":"NAME","kind":"Discord","target":"ftp://discord.example.org/hook"}""")]
    [InlineData("target", """{"name":"NAME","kind":"Webhook"}""")]
    [InlineData("target", """{"name":"NAME","kind":"PlatformAdministrators","target":"a@example.org"}""")]
    [InlineData("minimumSeverity", """{"name":"NAME","kind":"Email","target":"a@example.org","minimumSeverity":"P4"}""")]
    [InlineData("secret", """{"name":"NAME","kind":"Webhook","target":"https://hooks.example.org/x","secret":"short"}""")]
    [InlineData("secret", """{"name":"NAME","kind":"Slack","target":"https://hooks.slack.com/x","secret":"a-long-enough-secret-1234"}""")]
    [InlineData("escalation", """{"name":"NAME","kind":"Email","target":"a@example.org","escalation":"maybe"}""")]
    [InlineData("enabled", """{"name":"NAME","kind":"Email","target":"a@example.org","enabled":3}""")]
    public async Task Bad_input_answers_400_naming_the_field_and_writes_nothing(string field, string body)
    {
        using var platform = await app.NewOrganizationAsync(platformAdministrator: true, cancellationToken: Cancel);
        var name = $"Bad {Guid.NewGuid():N}";
        body = body.Replace("TOO_LONG", new string('n', 101), StringComparison.Ordinal).Replace("NAME", name, StringComparison.Ordinal)
            .Replace("TWENTY_ONE", string.Join(", ", Enumerable.Range(1, 21).Select(i => $"p{i}@example.org")), StringComparison.Ordinal);
        var existing = await platform.CreateAsync(Route, new { name = name + " existing", kind = "Email", target = "keep@example.org" });

        using (var created = await platform.SendRawAsync(HttpMethod.Post, Route, body))
        {
            await created.ShouldBeValidationProblemAsync(field);
        }
        using (var updated = await platform.SendRawAsync(HttpMethod.Put, $"{Route}/{existing["id"]}", body))
        {
            await updated.ShouldBeValidationProblemAsync(field);
        }

        await using var db = Database();
        (await db.AlertChannels.CountAsync(c => c.Name.StartsWith(name), Cancel)).ShouldBe(1);
        (await db.AlertChannels.SingleAsync(c => c.Name == name + " existing", Cancel)).Target.ShouldBe("keep@example.org");
    }

    [Fact]
    public async Task A_duplicate_name_in_any_case_is_409_on_create_and_update_and_valid_targets_are_accepted()
    {
        using var platform = await app.NewOrganizationAsync(platformAdministrator: true, cancellationToken: Cancel);
        var name = $"Team {Guid.NewGuid():N}";
        await platform.CreateAsync(Route, new { name, kind = "Email", target = "Pastor <pastor@example.org>, it@example.org" });
        var other = await platform.CreateAsync(Route, new { name = name + " admins", kind = "PlatformAdministrators", minimumSeverity = "p0" });
        other["target"]!.GetValue<string>().ShouldBe("");
        other["minimumSeverity"]!.GetValue<string>().ShouldBe("P0");
        await platform.CreateAsync(Route, new { name = name + " local", kind = "Discord", target = "http://[::1]:9/hook" });
        await platform.CreateAsync(Route, new { name = name + " own secret", kind = "Webhook", target = "https://hooks.example.org/x", secret = "my-own-secret-of-enough-length" });

        await (await platform.PostAsync(Route, new { name = name.ToUpperInvariant(), kind = "Email", target = "x@example.org" }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await platform.PutAsync($"{Route}/{other["id"]}", new { name = " " + name + " ", kind = "PlatformAdministrators" }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await using var db = Database();
        (await db.AlertChannels.CountAsync(c => c.Name.StartsWith(name), Cancel)).ShouldBe(4);
    }

    [Fact]
    public async Task A_platform_administrators_read_only_token_lists_but_may_not_change_or_test()
    {
        using var readOnly = await app.NewOrganizationAsync([ApiScopes.Read], platformAdministrator: true, cancellationToken: Cancel);

        (await readOnly.GetAsync(Route)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await readOnly.PostAsync(Route, new { name = "Nope", kind = "Email", target = "x@example.org" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await readOnly.PostAsync($"{Route}/1/test", new { })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    private static async Task<string> ListTextAsync(ApiClient client)
    {
        using var response = await client.GetAsync(Route);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return text;
    }

    private static JsonObject Find(JsonArray channels, long id) => channels.Single(c => c!["id"]!.GetValue<long>() == id)!.AsObject();

    private ShepherdDbContext Database() => app.Services.GetRequiredService<ShepherdDbContextFactory>().Create(null, AuditActor.System);
}
