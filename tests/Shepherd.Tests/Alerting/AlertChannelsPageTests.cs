using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Shepherd.Operations.Alerting.Channels;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Web;
using Shouldly;

namespace Shepherd.Tests.Alerting;

/// <summary>The channels page in a platform administrator's browser: the list, the add form, enable/disable, test and delete.</summary>
public sealed class AlertChannelsPageTests(SqliteApp app)
{
    private const string Path = AlertChannelsPageModel.Path;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_platform_administrator_adds_a_channel_sends_a_test_disables_and_deletes_it_from_the_page()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var browser = await SignedInBrowserAsync();
        var name = $"Page hook {Guid.NewGuid():N}"[..20];

        using (var refused = await WebForms.PostAsync(browser, Path, new() { ["Name"] = name, ["Kind"] = "Slack", ["Target"] = "ftp://x", ["MinimumSeverity"] = "P2" }))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.OK);
            WebForms.Error(await refused.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldContain("https://");
        }
        using (var added = await WebForms.PostAsync(browser, Path, new()
        {
            ["Name"] = name,
            ["Kind"] = "Webhook",
            ["Target"] = receiver.Url("/private/path"),
            ["MinimumSeverity"] = "P2",
            ["Escalation"] = "true",
        }))
        {
            added.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }
        var page = await browser.GetStringAsync(Path, Cancel);
        page.ShouldContain("id=\"flash\"");
        page.ShouldContain("Its signing secret, shown only now:");
        long id;
        await using (var db = app.Database(0))
        {
            id = (await db.AlertChannels.SingleAsync(c => c.Name == name, Cancel)).Id;
        }
        var row = Row(page, id);
        row.ShouldContain($"<td>{name}</td>");
        row.ShouldContain("<td>Webhook</td>");
        row.ShouldContain($"<td>{receiver.BaseUrl}/…</td>");
        row.ShouldContain("<td>P2</td>");
        page.ShouldNotContain("/private/path");
        (await browser.GetStringAsync(Path, Cancel)).ShouldNotContain("shown only now", customMessage: "the secret is shown once");

        using (var tested = await browser.PostAsync($"{Path}?handler=Test&id={id}", WebForms.Form(page, []), Cancel))
        {
            tested.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }
        (await browser.GetStringAsync(Path, Cancel)).ShouldContain("Test notification sent.");
        receiver.Received.ShouldHaveSingleItem().Headers["X-Shepherd-Event"].ShouldBe("Test");

        receiver.FailFirst = 2;
        using (await browser.PostAsync($"{Path}?handler=Test&id={id}", WebForms.Form(page, []), Cancel))
        {
        }
        page = await browser.GetStringAsync(Path, Cancel);
        WebForms.Error(page).ShouldNotBeNull().ShouldBe("The test notification failed: 127.0.0.1 answered 500 Internal Server Error");
        Row(page, id).ShouldContain("<td>127.0.0.1 answered 500 Internal Server Error</td>");
        Section(page, "failures").ShouldContain("Shepherd test notification");

        using (await browser.PostAsync($"{Path}?handler=Enable&id={id}&enabled=false", WebForms.Form(page, []), Cancel))
        {
        }
        page = await browser.GetStringAsync(Path, Cancel);
        WebUtility.HtmlDecode(page).ShouldContain($"Channel “{name}” is disabled.");
        Row(page, id).ShouldContain(">Enable</button>");

        using (await browser.PostAsync($"{Path}?handler=Delete&id={id}", WebForms.Form(page, []), Cancel))
        {
        }
        page = await browser.GetStringAsync(Path, Cancel);
        page.ShouldContain("Channel deleted.");
        page.ShouldNotContain($"id=\"channel-{id}\"");
    }

    [Fact]
    public async Task An_organization_administrator_gets_403_from_the_page_and_its_forms()
    {
        using var churchAdmin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var browser = await SignedInBrowserAsync(churchAdmin, HttpStatusCode.Forbidden);
        using var post = await browser.PostAsync(Path, new FormUrlEncodedContent(new Dictionary<string, string> { ["Name"] = "x" }), Cancel);
        ((int)post.StatusCode).ShouldBeOneOf(400, 403);
    }

    private async Task<HttpClient> SignedInBrowserAsync(ApiClient? member = null, HttpStatusCode expect = HttpStatusCode.OK)
    {
        member ??= await app.NewOrganizationAsync(platformAdministrator: true, cancellationToken: Cancel);
        await using (var db = app.Database(member.OrganizationId))
        {
            await db.Organizations.Where(o => o.Id == member.OrganizationId).ExecuteUpdateAsync(o => o.SetProperty(x => x.TwoFactorRequiredRoles, ""), Cancel);
        }
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        using (var signedIn = await WebForms.SignInWithPasswordAsync(browser, member.AdminEmail, "correct horse battery staple"))
        {
            signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }
        using var page = await browser.GetAsync(Path, Cancel);
        page.StatusCode.ShouldBe(expect);
        return browser;
    }

    private static string Row(string html, long id)
    {
        var start = html.IndexOf($"<tr id=\"channel-{id}\">", StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, $"no row for channel {id}");
        return WebUtility.HtmlDecode(html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)]);
    }

    private static string Section(string html, string tableId)
    {
        var start = html.IndexOf($"<table id=\"{tableId}\">", StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, $"no table {tableId}");
        return html[start..html.IndexOf("</table>", start, StringComparison.Ordinal)];
    }
}
