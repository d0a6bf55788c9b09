using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Accounts;
using Shepherd.Features.Audit;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Web;
using Shouldly;

namespace Shepherd.Tests.Audit;

/// <summary>/audit: the log in the browser for administrators — filtered, paged, encoded, exportable, read only.</summary>
public sealed class AuditLogPageTests(WebSqliteApp app) : IClassFixture<WebSqliteApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_administrator_sees_the_changes_filtered_by_record_and_action_with_names_encoded()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var person = await admin.CreateAsync("/api/v1/people", new { firstName = "<script>alert(1)</script>", lastName = "Audit" });
        var id = person["id"]!.GetValue<long>();
        (await admin.PutAsync($"/api/v1/people/{id}", new { firstName = "Ada", lastName = "Audit" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var other = await app.NewOrganizationAsync(cancellationToken: Cancel);
        await other.CreateAsync("/api/v1/people", new { firstName = "Zebediah", lastName = "Elsewhere" });
        using var browser = await SignedInAsync(admin);

        var all = await browser.GetStringAsync(AuditLogPageModel.Path, Cancel);
        all.ShouldContain("id=\"audit-entries\"");
        all.ShouldNotContain("<script>alert(1)</script>", customMessage: "values from the log are HTML-encoded");
        all.ShouldNotContain("Zebediah", customMessage: "another organization's entries never show");

        var record = await browser.GetStringAsync($"{AuditLogPageModel.Path}?entityType=Person&entityId={id}&action=updated", Cancel);
        Rows(record).ShouldBe(1, "one update of that person");
        record.ShouldContain("1 entry");
        record.ShouldContain("href=\"/api/v1/audit/export?format=csv&amp;action=updated&amp;entityType=Person&amp;entityId=" + id + "\"");

        var created = await browser.GetStringAsync($"{AuditLogPageModel.Path}?entityType=Person&entityId={id}", Cancel);
        Rows(created).ShouldBe(2);
    }

    [Fact]
    public async Task The_export_link_downloads_exactly_the_filtered_entries_and_is_itself_recorded()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var person = await admin.CreateAsync("/api/v1/people", new { firstName = "Export", lastName = "Me" });
        await admin.CreateAsync("/api/v1/people", new { firstName = "Not", lastName = "Me" });
        using var browser = await SignedInAsync(admin);
        var id = person["id"]!.GetValue<long>();
        var page = await browser.GetStringAsync($"{AuditLogPageModel.Path}?entityType=Person&entityId={id}", Cancel);
        var link = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "href=\"([^\"]+)\" id=\"export-csv\"").Groups[1].Value);

        var csv = await browser.GetStringAsync(link, Cancel);

        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(2, csv);
        lines[1].ShouldContain($",Person,{id},");
        (await browser.GetStringAsync($"{AuditLogPageModel.Path}?action=exported", Cancel)).ShouldContain("1 entry");
    }

    [Fact]
    public async Task Bad_filters_show_a_clear_error_in_place_and_the_date_range_includes_the_last_day()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        await admin.CreateAsync("/api/v1/people", new { firstName = "Dated", lastName = "Entry" });
        using var browser = await SignedInAsync(admin);
        var today = app.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        foreach (var (query, says) in new[]
        {
            ("action=explode", "Unknown action"), ("from=yesterday", "ISO 8601"), ("ip=999.1.1.1", "IPv4"),
            ("actorUserId=-3", "user id"), ("entityType=Per%20son", "record type"), ("p=0", "page number"),
        })
        {
            using var response = await browser.GetAsync($"{AuditLogPageModel.Path}?{query}", Cancel);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, query);
            WebForms.Error(await response.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull(query).ShouldContain(says, Case.Insensitive, query);
        }
        Rows(await browser.GetStringAsync($"{AuditLogPageModel.Path}?entityType=Person&from={today}&to={today}", Cancel))
            .ShouldBe(1, "a 'to' day includes that whole day");
    }

    [Fact]
    public async Task Roles_without_the_audit_permission_get_403_and_no_link_to_it()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var staff = await app.NewMemberAsync(admin.OrganizationId, OrganizationRole.Staff);
        using var browser = await SignedInAsync(staff);

        using var page = await browser.GetAsync(AuditLogPageModel.Path, Cancel);

        page.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await browser.GetStringAsync("/account", Cancel)).ShouldNotContain("href=\"/audit\"");
        using var adminBrowser = await SignedInAsync(admin);
        (await adminBrowser.GetStringAsync("/account", Cancel)).ShouldContain("href=\"/audit\"");
    }

    private async Task<HttpClient> SignedInAsync(ApiClient member)
    {
        await using (var db = app.Database(member.OrganizationId))
        {
            await db.Organizations.Where(o => o.Id == member.OrganizationId).ExecuteUpdateAsync(o => o.SetProperty(x => x.TwoFactorRequiredRoles, ""), Cancel);
        }
        var browser = app.Browser();
        using var signedIn = await WebForms.SignInWithPasswordAsync(browser, member.AdminEmail, "correct horse battery staple");
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return browser;
    }

    private static int Rows(string html)
    {
        var body = html[html.IndexOf("<tbody>", StringComparison.Ordinal)..];
        return System.Text.RegularExpressions.Regex.Count(body, "<tr>");
    }
}
