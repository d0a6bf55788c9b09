using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Features.Organizations;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Web;
using Shouldly;

namespace Shepherd.Tests.Accounts;

/// <summary>Platform administrators create organizations (API and page) with the first administrator invited by e-mail.</summary>
public sealed class OrganizationsTests(MailApp app) : IClassFixture<MailApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_platform_administrator_creates_an_organization_and_its_first_administrator_accepts_the_mailed_invitation()
    {
        using var platform = await app.NewOrganizationAsync(platformAdministrator: true, cancellationToken: Cancel);
        var name = $"Hope Chapel {Guid.NewGuid():N}"[..24];
        var pastor = $"pastor-{Guid.NewGuid():N}@example.org";

        var created = await platform.CreateAsync(OrganizationsApi.Route, new { name = $"  {name} ", administratorEmail = pastor, timeZone = "Europe/Berlin" });

        created["name"]!.GetValue<string>().ShouldBe(name, "the name is trimmed");
        created["timeZone"]!.GetValue<string>().ShouldBe("Europe/Berlin");
        created["invitation"]!["emailSent"]!.GetValue<bool>().ShouldBeTrue();
        created["invitation"]!["link"].ShouldBeNull("a mailed link is never returned");
        var organizationId = created["id"]!.GetValue<long>();
        var (message, link) = app.Smtp.Single(pastor);
        message.Subject.ShouldNotBeNull().ShouldContain(name);

        var listed = (await platform.Http.GetFromJsonAsync<JsonArray>(OrganizationsApi.Route, Cancel))!
            .Single(o => o!["id"]!.GetValue<long>() == organizationId)!;
        listed["members"]!.GetValue<int>().ShouldBe(0);
        listed["pendingInvitations"]!.GetValue<int>().ShouldBe(1);

        using var browser = app.Browser();
        const string Password = "a long new passphrase";
        using (var accepted = await WebForms.PostAsync(
            browser, link, new() { ["DisplayName"] = "Pastor", ["Password"] = Password, ["ConfirmPassword"] = Password }, link + "&handler=Create"))
        {
            accepted.StatusCode.ShouldBe(HttpStatusCode.Redirect, await accepted.Content.ReadAsStringAsync(Cancel));
        }
        await using var db = app.Database(organizationId);
        (await db.Memberships.SingleAsync(m => m.User!.Email == pastor, Cancel)).Role.ShouldBe(OrganizationRole.Administrator);
        var audit = await db.AuditEntries.Where(e => e.EntityType == "Organization").SingleAsync(Cancel);
        audit.Action.ShouldBe(AuditAction.Created);
        audit.Actor.ShouldStartWith(platform.AdminEmail, Case.Sensitive, "the new organization's log says who created it");
    }

    [Fact]
    public async Task Naming_yourself_as_administrator_makes_you_one_at_once_without_an_invitation()
    {
        using var platform = await app.NewOrganizationAsync(platformAdministrator: true, cancellationToken: Cancel);
        var name = $"Self Church {Guid.NewGuid():N}"[..24];

        var created = await platform.CreateAsync(OrganizationsApi.Route, new { name, administratorEmail = platform.AdminEmail.ToUpperInvariant() });

        created["invitation"].ShouldBeNull();
        await using var db = app.Database(created["id"]!.GetValue<long>());
        (await db.Memberships.SingleAsync(Cancel)).Role.ShouldBe(OrganizationRole.Administrator);
        app.Smtp.To(platform.AdminEmail).ShouldBeEmpty();
    }

    [Fact]
    public async Task Bad_input_and_a_taken_name_are_refused_naming_the_field_and_nothing_is_created()
    {
        using var platform = await app.NewOrganizationAsync(platformAdministrator: true, cancellationToken: Cancel);
        var before = await CountAsync();

        await (await platform.PostAsync(OrganizationsApi.Route, new { name = "", administratorEmail = "a@example.org" })).ShouldBeValidationProblemAsync("name");
        await (await platform.PostAsync(OrganizationsApi.Route, new { name = new string('n', 201), administratorEmail = "a@example.org" })).ShouldBeValidationProblemAsync("name");
        await (await platform.PostAsync(OrganizationsApi.Route, new { name = "Fine", administratorEmail = "not an address" })).ShouldBeValidationProblemAsync("administratorEmail");
        await (await platform.PostAsync(OrganizationsApi.Route, new { name = "Fine", administratorEmail = "a@example.org", timeZone = "Mars/Olympus" })).ShouldBeValidationProblemAsync("timeZone");
        await (await platform.SendRawAsync(HttpMethod.Post, OrganizationsApi.Route, "{\"name\": [1, 2")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        var existing = await app.Database(platform.OrganizationId).Organizations.Where(o => o.Id == platform.OrganizationId).Select(o => o.Name).SingleAsync(Cancel);
        (await (await platform.PostAsync(OrganizationsApi.Route, new { name = existing.ToLowerInvariant(), administratorEmail = "a@example.org" }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict))["detail"]!.GetValue<string>().ShouldContain("already exists");

        (await CountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Only_platform_administrators_see_or_create_organizations()
    {
        using var churchAdmin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var platformReadOnly = await app.NewOrganizationAsync([ApiScopes.Read], platformAdministrator: true, cancellationToken: Cancel);
        var before = await CountAsync();

        (await churchAdmin.GetAsync(OrganizationsApi.Route)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await churchAdmin.PostAsync(OrganizationsApi.Route, new { name = "Mine", administratorEmail = "a@example.org" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await platformReadOnly.GetAsync(OrganizationsApi.Route)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await platformReadOnly.PostAsync(OrganizationsApi.Route, new { name = "Mine", administratorEmail = "a@example.org" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var anonymous = app.CreateClient();
        (await anonymous.GetAsync(OrganizationsApi.Route, Cancel)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        using var browser = app.Browser();
        await SignInAsync(browser, churchAdmin, expectPage: HttpStatusCode.Forbidden);
        (await CountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task The_organizations_page_creates_one_from_its_form_and_shows_errors_in_place()
    {
        using var platform = await app.NewOrganizationAsync(platformAdministrator: true, cancellationToken: Cancel);
        using var browser = app.Browser();
        var page = await SignInAsync(browser, platform, expectPage: HttpStatusCode.OK);
        page.ShouldContain("id=\"organizations\"");

        using (var refused = await browser.PostAsync(OrganizationsPageModel.Path, WebForms.Form(page, new()
        {
            ["Name"] = "<b>Bold</b>",
            ["AdministratorEmail"] = "nobody",
            ["TimeZone"] = "UTC",
        }), Cancel))
        {
            var html = await refused.Content.ReadAsStringAsync(Cancel);
            refused.StatusCode.ShouldBe(HttpStatusCode.OK);
            WebForms.Error(html).ShouldNotBeNull().ShouldContain("first administrator");
            html.ShouldNotContain("<b>Bold</b>", customMessage: "the name is shown encoded");
        }

        var name = $"Page Church {Guid.NewGuid():N}"[..24];
        var pastor = $"page-{Guid.NewGuid():N}@example.org";
        using var created = await browser.PostAsync(OrganizationsPageModel.Path, WebForms.Form(page, new()
        {
            ["Name"] = name,
            ["AdministratorEmail"] = pastor,
            ["TimeZone"] = "America/Chicago",
        }), Cancel);
        var result = await created.Content.ReadAsStringAsync(Cancel);
        result.ShouldContain("id=\"organization-created\"");
        result.ShouldContain($"went to {pastor}");
        result.ShouldContain($"<td>{name}</td>");
        app.Smtp.To(pastor).Count.ShouldBe(1);
    }

    /// <summary>Signs the client's person in (two-factor not required for the test) and opens the organizations page.</summary>
    private async Task<string> SignInAsync(HttpClient browser, ApiClient member, HttpStatusCode expectPage)
    {
        await using (var db = app.Database(member.OrganizationId))
        {
            await db.Organizations.Where(o => o.Id == member.OrganizationId).ExecuteUpdateAsync(o => o.SetProperty(x => x.TwoFactorRequiredRoles, ""), Cancel);
        }
        using (var signedIn = await WebForms.SignInWithPasswordAsync(browser, member.AdminEmail, "correct horse battery staple"))
        {
            signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }
        using var page = await browser.GetAsync(OrganizationsPageModel.Path, Cancel);
        page.StatusCode.ShouldBe(expectPage);
        return await page.Content.ReadAsStringAsync(Cancel);
    }

    private async Task<int> CountAsync()
    {
        await using var db = app.Database(0);
        return await db.Organizations.CountAsync(Cancel);
    }
}
