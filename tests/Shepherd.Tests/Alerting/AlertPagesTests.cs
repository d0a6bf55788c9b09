using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Alerting;
using Shepherd.Operations.Alerting;
using Shepherd.Operations.Alerting.Administration;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Web;
using Shouldly;

namespace Shepherd.Tests.Alerting;

/// <summary>The alerts page, the Operations page's alerts section and the acknowledgement link (pages: SQLite only).</summary>
[Collection(nameof(AlertingSqliteCollection))]
public sealed class AlertPagesTests(AlertingSqliteApp app)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_platform_administrator_sees_every_section_and_acknowledges_silences_and_adds_a_window_through_the_forms()
    {
        var incident = await Incidents.OpenAsync(app, "CriticalErrorRate", AlertStatus.Firing);
        using var browser = await PlatformAdministratorAsync();

        var html = await browser.GetStringAsync(AlertsPageModel.Path, Cancel);
        foreach (var id in new[] { "firing-heading", "pending-heading", "incidents-heading", "rules-heading", "silences-heading", "windows-heading", "silence-form", "window-form" })
        {
            html.ShouldContain($"id=\"{id}\"");
        }
        html.ShouldContain("href=\"/operations/alerts/channels\"");
        html.ShouldContain("threshold-HighErrorRate");
        html.ShouldNotContain("id=\"read-only\"");

        using (var acknowledged = await WebForms.PostAsync(browser, AlertsPageModel.Path, new() { ["id"] = incident.ToString(System.Globalization.CultureInfo.InvariantCulture) }, AlertsPageModel.Path + "?handler=Acknowledge"))
        {
            acknowledged.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await acknowledged.Content.ReadAsStringAsync(Cancel)).ShouldContain($"Incident {incident} is acknowledged.");
        }
        (await Incidents.FindAsync(app, incident)).AcknowledgedBy.ShouldNotBeNull().ShouldNotContain("token");

        using (var bad = await WebForms.PostAsync(browser, AlertsPageModel.Path, new() { ["name"] = "HighCpuUsage", ["threshold"] = "1.5", ["enabled"] = "true" }, AlertsPageModel.Path + "?handler=Rule"))
        {
            WebForms.Error(await bad.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldContain("between 0 and 1");
        }
        using (var rule = await WebForms.PostAsync(browser, AlertsPageModel.Path, new() { ["name"] = "HighCpuUsage", ["threshold"] = "0.9" }, AlertsPageModel.Path + "?handler=Rule"))
        {
            (await rule.Content.ReadAsStringAsync(Cancel)).ShouldContain("HighCpuUsage: threshold 90 %, turned off.");
        }

        var silences = await CountAsync(db => db.AlertSilences.CountAsync(Cancel));
        using (var silence = await WebForms.PostAsync(browser, AlertsPageModel.Path,
            new() { ["label"] = "severity", ["value"] = "P2", ["durationMinutes"] = "30", ["reason"] = "noisy during the upgrade" }, AlertsPageModel.Path + "?handler=Silence"))
        {
            var page = await silence.Content.ReadAsStringAsync(Cancel);
            WebForms.Error(page).ShouldBeNull();
            page.ShouldContain("noisy during the upgrade");
            page.ShouldContain("End now");
        }
        (await CountAsync(db => db.AlertSilences.CountAsync(Cancel))).ShouldBe(silences + 1);

        using (var window = await WebForms.PostAsync(browser, AlertsPageModel.Path,
            new() { ["name"] = "Sunday nights", ["days"] = "Sun", ["start"] = "02:00", ["durationMinutes"] = "120", ["timeZone"] = "", ["severities"] = "P2,P3", ["enabled"] = "true" },
            AlertsPageModel.Path + "?handler=Window"))
        {
            var page = await window.Content.ReadAsStringAsync(Cancel);
            WebForms.Error(page).ShouldBeNull();
            page.ShouldContain("Change “Sunday nights”");
        }
        await using var check = app.Database();
        (await check.AlertMaintenanceWindows.SingleAsync(w => w.Name == "Sunday nights", Cancel)).TimeZone.ShouldBe("UTC");
    }

    [Fact]
    public async Task A_monitoring_session_reads_the_alerts_and_the_operations_summary_but_every_form_post_is_403()
    {
        var incident = await Incidents.OpenAsync(app, "HighMemoryUsage", AlertStatus.Firing);
        await Incidents.OpenAsync(app, "MailFailures", AlertStatus.Firing, suppressedBy: "maintenance window Sunday nights");
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var browser = app.Browser();
        var signInForm = await browser.GetStringAsync("/signin", Cancel);
        (await browser.PostAsync("/signin", WebForms.Form(signInForm, new() { ["Token"] = monitor.Token }), Cancel)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var html = await browser.GetStringAsync(AlertsPageModel.Path, Cancel);
        html.ShouldContain("id=\"read-only\"");
        html.ShouldContain("HighMemoryUsage");
        html.ShouldNotContain("id=\"silence-form\"");
        html.ShouldNotContain("?handler=Acknowledge");
        using (var post = await WebForms.PostAsync(browser, AlertsPageModel.Path, new() { ["id"] = incident.ToString(System.Globalization.CultureInfo.InvariantCulture) }, AlertsPageModel.Path + "?handler=Acknowledge"))
        {
            post.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        (await Incidents.FindAsync(app, incident)).AcknowledgedAt.ShouldBeNull();

        var operations = await browser.GetStringAsync("/operations", Cancel);
        operations.ShouldContain("id=\"alerts-summary\"");
        var firing = Between(operations, "id=\"alerts-firing\">", "</li>");
        firing.ShouldContain("HighMemoryUsage");
        firing.ShouldNotContain("MailFailures");
        Between(operations, "id=\"alerts-silenced\">", "</li>").ShouldContain("MailFailures");
        operations.ShouldContain("id=\"alerts-maintenance\"");
        operations.ShouldContain("href=\"/operations/alerts\"");
    }

    [Fact]
    public async Task The_notification_link_shows_the_alert_on_get_acknowledges_only_on_post_and_a_tampered_token_is_404()
    {
        var incident = await Incidents.OpenAsync(app, "ErrorBudgetFastBurn", AlertStatus.Firing);
        var token = app.Services.GetRequiredService<AlertAcknowledgement>().Token(incident);
        var link = "/alerts/acknowledge/" + Uri.EscapeDataString(token);
        using var browser = app.Browser();

        using (var get = await browser.GetAsync(link, Cancel))
        {
            get.StatusCode.ShouldBe(HttpStatusCode.OK);
            var page = await get.Content.ReadAsStringAsync(Cancel);
            page.ShouldContain("ErrorBudgetFastBurn");
            page.ShouldContain("firing, not acknowledged");
            page.ShouldContain(">Acknowledge</button>");
        }
        (await Incidents.FindAsync(app, incident)).AcknowledgedAt.ShouldBeNull("opening the link (as a mail scanner does) acknowledges nothing");

        using (var post = await WebForms.PostAsync(browser, link, []))
        {
            post.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await post.Content.ReadAsStringAsync(Cancel)).ShouldContain("the alert is acknowledged");
        }
        (await Incidents.FindAsync(app, incident)).AcknowledgedBy.ShouldBe(AcknowledgePageModel.By);

        var tampered = "/alerts/acknowledge/" + Uri.EscapeDataString(token[..^3] + (token[^3] == 'A' ? "B" : "A") + token[^2..]);
        foreach (var url in new[] { tampered, "/alerts/acknowledge/not-a-token" })
        {
            using var bad = await browser.GetAsync(url, Cancel);
            bad.StatusCode.ShouldBe(HttpStatusCode.NotFound, url);
            var page = await bad.Content.ReadAsStringAsync(Cancel);
            WebForms.Error(page).ShouldBe(AcknowledgePageModel.InvalidLink);
            page.ShouldNotContain("ErrorBudgetFastBurn");
        }
        var other = await Incidents.OpenAsync(app, "HighErrorRate", AlertStatus.Firing);
        var validForm = await browser.GetStringAsync("/alerts/acknowledge/" + Uri.EscapeDataString(app.Services.GetRequiredService<AlertAcknowledgement>().Token(other)), Cancel);
        using (var postTampered = await browser.PostAsync(tampered, WebForms.Form(validForm, []), Cancel))
        {
            postTampered.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }
        (await Incidents.FindAsync(app, other)).AcknowledgedAt.ShouldBeNull();
    }

    private async Task<HttpClient> PlatformAdministratorAsync()
    {
        using var admin = await app.NewOrganizationAsync(platformAdministrator: true, cancellationToken: Cancel);
        await using (var db = app.Database())
        {
            // Two-factor set-up would hold the session on its account pages; this test is about the alerts page.
            await db.Organizations.Where(o => o.Id == admin.OrganizationId).ExecuteUpdateAsync(o => o.SetProperty(x => x.TwoFactorRequiredRoles, ""), Cancel);
        }
        var browser = app.Browser();
        using var signedIn = await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, "correct horse battery staple");
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return browser;
    }

    private async Task<T> CountAsync<T>(Func<Shepherd.Data.ShepherdDbContext, Task<T>> read)
    {
        await using var db = app.Database();
        return await read(db);
    }

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        from.ShouldBeGreaterThanOrEqualTo(0, start);
        from += start.Length;
        return text[from..text.IndexOf(end, from, StringComparison.Ordinal)];
    }
}
