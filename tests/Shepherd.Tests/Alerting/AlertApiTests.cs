using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Alerting;
using Shepherd.Operations.Alerting.Administration;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Alerting;

[Collection(nameof(AlertingSqliteCollection))]
public sealed class AlertApiSqliteTests(AlertingSqliteApp app) : AlertApiTests<AlertingSqliteApp>(app);

[Collection(nameof(AlertingPostgresCollection))]
public sealed class AlertApiPostgresTests(AlertingPostgresApp app) : AlertApiTests<AlertingPostgresApp>(app);

/// <summary>`/api/operations/alerts`: rules and thresholds, incidents and acknowledgement, silences and maintenance windows.</summary>
public abstract class AlertApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    private const string Route = AlertEndpoints.Route;

    private DateTimeOffset Now => app.Services.GetRequiredService<TimeProvider>().GetUtcNow();

    [Fact]
    public async Task A_threshold_round_trips_and_null_goes_back_to_the_catalogue_threshold()
    {
        using var admin = await app.NewOrganizationAsync(platformAdministrator: true);

        var changed = await admin.PutAsync($"{Route}/rules/HighErrorRate", new { threshold = 0.2, enabled = false });
        changed.StatusCode.ShouldBe(HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());

        var rule = await RuleAsync(admin, "HighErrorRate");
        rule["threshold"]!["value"]!.GetValue<double>().ShouldBe(0.2);
        rule["threshold"]!["text"]!.GetValue<string>().ShouldBe("20 %");
        rule["threshold"]!["unit"]!.GetValue<string>().ShouldBe("ratio");
        rule["defaultThreshold"]!["value"]!.GetValue<double>().ShouldBe(0.05);
        rule["enabled"]!.GetValue<bool>().ShouldBeFalse();
        rule["severity"]!.GetValue<string>().ShouldBe("p1", "enums are camelCase in the API");
        rule["area"]!.GetValue<string>().ShouldBe("availability");
        rule["runbook"]!.GetValue<string>().ShouldBe("docs/runbooks/HighErrorRate.md");
        await using (var db = app.Database())
        {
            var setting = await db.AlertRuleSettings.SingleAsync(s => s.RuleName == "HighErrorRate");
            setting.Threshold.ShouldBe(0.2);
            setting.UpdatedBy.ShouldBe($"{admin.AdminEmail} (token 'tests')");
        }

        (await admin.PutAsync($"{Route}/rules/HighErrorRate", new { threshold = (double?)null, enabled = true })).StatusCode.ShouldBe(HttpStatusCode.OK);
        rule = await RuleAsync(admin, "HighErrorRate");
        rule["threshold"]!["value"]!.GetValue<double>().ShouldBe(0.05);
        rule["threshold"]!["text"]!.GetValue<string>().ShouldBe("5 %");
        rule["enabled"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task Every_bad_input_is_a_400_naming_the_field_and_nothing_is_written()
    {
        using var admin = await app.NewOrganizationAsync(platformAdministrator: true);
        var before = await CountsAsync();
        var window = new Dictionary<string, object?>
        {
            ["name"] = "Upgrades",
            ["days"] = "Sun",
            ["start"] = "02:00",
            ["durationMinutes"] = 120,
            ["timeZone"] = "UTC",
            ["severities"] = "P2,P3",
        };
        Dictionary<string, object?> WindowWith(string field, object? value) => new(window) { [field] = value };
        var silence = new Dictionary<string, object?> { ["label"] = "alertname", ["value"] = "HighErrorRate", ["reason"] = "disk", ["durationMinutes"] = 60 };
        Dictionary<string, object?> SilenceWith(string field, object? value) => new(silence) { [field] = value };

        var cases = new List<(string Field, Func<Task<HttpResponseMessage>> Send)>
        {
            ("threshold", () => admin.PutAsync($"{Route}/rules/HighErrorRate", new { threshold = 1.5, enabled = true })),
            ("threshold", () => admin.PutAsync($"{Route}/rules/HighErrorRate", new { threshold = -1, enabled = true })),
            ("threshold", () => admin.PutAsync($"{Route}/rules/VerySlowResponses", new { threshold = 3, enabled = true })),
            ("threshold", () => admin.SendRawAsync(HttpMethod.Put, $"{Route}/rules/HighErrorRate", "{\"threshold\":\"lots\",\"enabled\":true}")),
            ("enabled", () => admin.SendRawAsync(HttpMethod.Put, $"{Route}/rules/HighErrorRate", "{\"threshold\":null,\"enabled\":\"maybe\"}")),
            ("label", () => admin.PostAsync($"{Route}/silences", SilenceWith("label", "instance"))),
            ("value", () => admin.PostAsync($"{Route}/silences", SilenceWith("value", "NoSuchRule"))),
            ("value", () => admin.PostAsync($"{Route}/silences", new Dictionary<string, object?>(silence) { ["label"] = "severity", ["value"] = "P9" })),
            ("reason", () => admin.PostAsync($"{Route}/silences", SilenceWith("reason", " "))),
            ("reason", () => admin.PostAsync($"{Route}/silences", SilenceWith("reason", new string('x', 501)))),
            ("durationMinutes", () => admin.PostAsync($"{Route}/silences", SilenceWith("durationMinutes", 0))),
            ("durationMinutes", () => admin.PostAsync($"{Route}/silences", SilenceWith("durationMinutes", 43201))),
            ("durationMinutes", () => admin.PostAsync($"{Route}/silences", SilenceWith("durationMinutes", null))),
            ("endsAt", () => admin.PostAsync($"{Route}/silences", SilenceWith("endsAt", Now.AddHours(1)))),
            ("endsAt", () => admin.PostAsync($"{Route}/silences", new Dictionary<string, object?>(silence) { ["durationMinutes"] = null, ["endsAt"] = Now.AddHours(-1) })),
            ("endsAt", () => admin.PostAsync($"{Route}/silences", new Dictionary<string, object?>(silence) { ["durationMinutes"] = null, ["endsAt"] = Now.AddDays(31) })),
            ("name", () => admin.PostAsync($"{Route}/maintenance-windows", WindowWith("name", ""))),
            ("name", () => admin.PostAsync($"{Route}/maintenance-windows", WindowWith("name", new string('n', 101)))),
            ("days", () => admin.PostAsync($"{Route}/maintenance-windows", WindowWith("days", "Sun,Funday"))),
            ("start", () => admin.PostAsync($"{Route}/maintenance-windows", WindowWith("start", "25:00"))),
            ("start", () => admin.PostAsync($"{Route}/maintenance-windows", WindowWith("start", null))),
            ("durationMinutes", () => admin.PostAsync($"{Route}/maintenance-windows", WindowWith("durationMinutes", 0))),
            ("durationMinutes", () => admin.PostAsync($"{Route}/maintenance-windows", WindowWith("durationMinutes", 1441))),
            ("timeZone", () => admin.PostAsync($"{Route}/maintenance-windows", WindowWith("timeZone", "Mars/Olympus_Mons"))),
            ("severities", () => admin.PostAsync($"{Route}/maintenance-windows", WindowWith("severities", "P2,P9"))),
            ("severities", () => admin.PostAsync($"{Route}/maintenance-windows", WindowWith("severities", ""))),
            ("status", () => admin.GetAsync($"{Route}/incidents?status=burning")),
            ("limit", () => admin.GetAsync($"{Route}/incidents?limit=0")),
            ("limit", () => admin.GetAsync($"{Route}/incidents?limit=501")),
        };
        foreach (var (field, send) in cases)
        {
            using var response = await send();
            await response.ShouldBeValidationProblemAsync(field);
        }

        // A body that is not JSON at all, and ids that do not exist.
        await (await admin.SendRawAsync(HttpMethod.Post, $"{Route}/maintenance-windows", "{not json")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.PutAsync($"{Route}/rules/NoSuchRule", new { threshold = 1, enabled = true })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await admin.PutAsync($"{Route}/maintenance-windows/987654321", window)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await admin.DeleteAsync($"{Route}/maintenance-windows/987654321")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await admin.DeleteAsync($"{Route}/silences/987654321")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await admin.PostAsync($"{Route}/incidents/987654321/acknowledge", new { })).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        (await CountsAsync()).ShouldBe(before, "no bad input wrote a row");
    }

    [Fact]
    public async Task A_firing_incident_is_listed_acknowledged_once_and_a_resolved_one_cannot_be()
    {
        using var admin = await app.NewOrganizationAsync(platformAdministrator: true);
        var firing = await Incidents.OpenAsync(app, "DatabaseDown", AlertStatus.Firing, notifications: 3);
        var resolved = await Incidents.OpenAsync(app, "HighLatencyP95", AlertStatus.Resolved);
        var silenced = await Incidents.OpenAsync(app, "DiskAlmostFull", AlertStatus.Firing, suppressedBy: "silence 1: replacing the disk");
        var pending = await Incidents.OpenAsync(app, "BackupTooOld", AlertStatus.Pending);

        var rules = (await admin.Http.GetFromJsonAsync<JsonArray>(Route))!;
        rules.Count.ShouldBeGreaterThanOrEqualTo(19);
        State(rules, "DatabaseDown").ShouldBe("firing");
        State(rules, "DiskAlmostFull").ShouldBe("silenced");
        State(rules, "BackupTooOld").ShouldBe("pending");
        State(rules, "HighLatencyP95").ShouldBe("inactive");
        var open = rules.Single(r => r!["name"]!.GetValue<string>() == "DatabaseDown")!["incident"]!;
        open["id"]!.GetValue<long>().ShouldBe(firing);
        rules.Single(r => r!["name"]!.GetValue<string>() == "DiskAlmostFull")!["incident"]!["suppressedBy"]!.GetValue<string>().ShouldStartWith("silence 1");

        var acknowledged = await admin.PostAsync($"{Route}/incidents/{firing}/acknowledge", new { });
        acknowledged.StatusCode.ShouldBe(HttpStatusCode.OK, await acknowledged.Content.ReadAsStringAsync());
        (await Incidents.FindAsync(app, firing)).AcknowledgedBy.ShouldBe($"{admin.AdminEmail} (token 'tests')");
        var again = await (await admin.PostAsync($"{Route}/incidents/{firing}/acknowledge", new { })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        again["detail"]!.GetValue<string>().ShouldContain("already acknowledged");
        var notFiring = await (await admin.PostAsync($"{Route}/incidents/{resolved}/acknowledge", new { })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        notFiring["detail"]!.GetValue<string>().ShouldContain("not firing");
        (await admin.PostAsync($"{Route}/incidents/{pending}/acknowledge", new { })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Incidents.FindAsync(app, resolved)).AcknowledgedAt.ShouldBeNull();

        var history = (await admin.Http.GetFromJsonAsync<JsonArray>($"{Route}/incidents?status=firing&rule=DatabaseDown"))!;
        var entry = history.Single(i => i!["id"]!.GetValue<long>() == firing)!;
        entry["notifications"]!.GetValue<int>().ShouldBe(3);
        entry["acknowledgedBy"]!.GetValue<string>().ShouldStartWith(admin.AdminEmail);
        history.ShouldAllBe(i => i!["rule"]!.GetValue<string>() == "DatabaseDown" && i["status"]!.GetValue<string>() == "firing");
        var resolvedOnly = (await admin.Http.GetFromJsonAsync<JsonArray>($"{Route}/incidents?status=resolved"))!;
        resolvedOnly.Select(i => i!["id"]!.GetValue<long>()).ShouldContain(resolved);
        resolvedOnly.ShouldAllBe(i => i!["status"]!.GetValue<string>() == "resolved");
        var all = (await admin.Http.GetFromJsonAsync<JsonArray>($"{Route}/incidents?limit=500"))!;
        var times = all.Select(i => (i!["firedAt"] ?? i["pendingSince"])!.GetValue<DateTimeOffset>()).ToList();
        times.ShouldBe(times.OrderDescending().ToList(), "newest first");
        silenced.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task A_silence_is_created_listed_and_ended_now_and_kept_as_history()
    {
        using var admin = await app.NewOrganizationAsync(platformAdministrator: true);

        var created = await admin.CreateAsync($"{Route}/silences", new { label = "area", value = "operations", reason = "moving the backup disk", durationMinutes = 90 });
        var id = created["id"]!.GetValue<long>();
        created["active"]!.GetValue<bool>().ShouldBeTrue();
        created["createdBy"]!.GetValue<string>().ShouldStartWith(admin.AdminEmail);
        (created["endsAt"]!.GetValue<DateTimeOffset>() - created["startsAt"]!.GetValue<DateTimeOffset>()).ShouldBe(TimeSpan.FromMinutes(90));

        (await admin.Http.GetFromJsonAsync<JsonArray>($"{Route}/silences?active=true"))!.Select(s => s!["id"]!.GetValue<long>()).ShouldContain(id);

        var ended = await admin.DeleteAsync($"{Route}/silences/{id}");
        ended.StatusCode.ShouldBe(HttpStatusCode.OK, await ended.Content.ReadAsStringAsync());
        (await admin.Http.GetFromJsonAsync<JsonArray>($"{Route}/silences?active=true"))!.Select(s => s!["id"]!.GetValue<long>()).ShouldNotContain(id);
        (await admin.Http.GetFromJsonAsync<JsonArray>($"{Route}/silences?active=false"))!.Select(s => s!["id"]!.GetValue<long>()).ShouldContain(id);
        await using var db = app.Database();
        var row = await db.AlertSilences.SingleAsync(s => s.Id == id);
        row.EndsAt.ShouldBeLessThanOrEqualTo(Now);
        row.Reason.ShouldBe("moving the backup disk");
    }

    [Fact]
    public async Task A_maintenance_window_is_created_open_now_changed_and_deleted()
    {
        using var admin = await app.NewOrganizationAsync(platformAdministrator: true);
        var start = Now.AddMinutes(-10).UtcDateTime;

        var created = await admin.CreateAsync($"{Route}/maintenance-windows",
            new { name = "Now", days = "", start = start.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), durationMinutes = 60, timeZone = "UTC", severities = "p3,P2" });
        var id = created["id"]!.GetValue<long>();
        created["openNow"]!.GetValue<bool>().ShouldBeTrue(created.ToJsonString());
        created["severities"]!.GetValue<string>().ShouldBe("P2,P3");
        created["enabled"]!.GetValue<bool>().ShouldBeTrue();
        var listed = (await admin.Http.GetFromJsonAsync<JsonArray>($"{Route}/maintenance-windows"))!.Single(w => w!["id"]!.GetValue<long>() == id)!;
        listed["openNow"]!.GetValue<bool>().ShouldBeTrue();
        listed["nextStart"]!.GetValue<DateTimeOffset>().ShouldBeGreaterThan(Now.AddHours(23));

        var later = Now.AddHours(6).UtcDateTime.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var changed = await admin.PutAsync($"{Route}/maintenance-windows/{id}",
            new { name = "Later", days = "mon,Sun", start = later, durationMinutes = 30, timeZone = "Europe/Berlin", severities = "P3", enabled = true });
        var body = await changed.Content.ReadAsStringAsync();
        changed.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var window = JsonNode.Parse(body)!;
        window["name"]!.GetValue<string>().ShouldBe("Later");
        window["days"]!.GetValue<string>().ShouldBe("Sun,Mon");
        window["timeZone"]!.GetValue<string>().ShouldBe("Europe/Berlin");

        var off = await admin.PutAsync($"{Route}/maintenance-windows/{id}",
            new { name = "Later", start = "00:00", durationMinutes = 1440, severities = "P3", enabled = false });
        var offView = JsonNode.Parse(await off.Content.ReadAsStringAsync())!;
        offView["openNow"]!.GetValue<bool>().ShouldBeFalse("a turned-off window is never open");
        offView["nextStart"].ShouldBeNull();
        offView["timeZone"]!.GetValue<string>().ShouldBe("UTC", "the default zone is Shepherd:Alerting:TimeZone");

        (await admin.DeleteAsync($"{Route}/maintenance-windows/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await admin.Http.GetFromJsonAsync<JsonArray>($"{Route}/maintenance-windows"))!.Select(w => w!["id"]!.GetValue<long>()).ShouldNotContain(id);
    }

    [Fact]
    public async Task A_monitoring_token_reads_everything_and_changes_nothing_and_an_organization_administrator_reads_nothing()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring]);
        using var reader = await app.NewOrganizationAsync([ApiScopes.Read], platformAdministrator: true);
        using var organizationAdmin = await app.NewOrganizationAsync();
        var incident = await Incidents.OpenAsync(app, "HighErrorRate", AlertStatus.Firing);
        var before = await CountsAsync();

        foreach (var url in new[] { Route, $"{Route}/incidents", $"{Route}/silences", $"{Route}/maintenance-windows" })
        {
            (await monitor.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.OK, url);
            (await reader.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.OK, url);
            (await organizationAdmin.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.Forbidden, url);
        }
        foreach (var client in new[] { monitor, reader })
        {
            (await client.PutAsync($"{Route}/rules/HighErrorRate", new { threshold = 0.5, enabled = false })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PostAsync($"{Route}/incidents/{incident}/acknowledge", new { })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PostAsync($"{Route}/silences", new { label = "severity", value = "P1", reason = "x", durationMinutes = 5 })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PostAsync($"{Route}/maintenance-windows", new { name = "x", start = "01:00", durationMinutes = 5, severities = "P3" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        (await CountsAsync()).ShouldBe(before);
        (await Incidents.FindAsync(app, incident)).AcknowledgedAt.ShouldBeNull();
    }

    private static async Task<JsonObject> RuleAsync(ApiClient client, string name) =>
        (await client.Http.GetFromJsonAsync<JsonArray>(Route))!.Single(r => r!["name"]!.GetValue<string>() == name)!.AsObject();

    private static string State(JsonArray rules, string name) =>
        rules.Single(r => r!["name"]!.GetValue<string>() == name)!["state"]!.GetValue<string>();

    private async Task<(int Settings, int Silences, int Windows, string Ruled)> CountsAsync()
    {
        await using var db = app.Database();
        var settings = await db.AlertRuleSettings.AsNoTracking().OrderBy(s => s.RuleName).ToListAsync();
        return (settings.Count, await db.AlertSilences.CountAsync(), await db.AlertMaintenanceWindows.CountAsync(),
            string.Join(";", settings.Select(s => $"{s.RuleName}={s.Threshold}/{s.Enabled}")));
    }
}
