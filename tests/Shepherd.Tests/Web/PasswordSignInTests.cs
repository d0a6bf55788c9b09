using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Data.Organizations;
using Shepherd.Platform.Security;
using Shepherd.Platform.Web;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Web;

/// <summary>
/// Signing in with an e-mail address and password: the same answer for an unknown address and a wrong password, the
/// lockout and its time, the session cookie, open redirects, CSRF, and open sessions following role, membership and
/// password changes (the app re-checks sessions on every request here).
/// </summary>
public sealed class PasswordSignInTests(WebSqliteApp app) : IClassFixture<WebSqliteApp>
{
    private const string Password = "correct horse battery staple";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_member_signs_in_and_lands_on_their_account_page_with_a_strict_http_only_cookie()
    {
        using var admin = await NewOrganizationAsync();
        using var browser = app.Browser();

        using var signedIn = await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, Password);

        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, await signedIn.Content.ReadAsStringAsync(Cancel));
        signedIn.Headers.Location!.ToString().ShouldBe(AccountModel.Path);
        var cookie = WebForms.SessionCookie(signedIn).ShouldNotBeNull();
        cookie.ShouldContain("httponly", Case.Insensitive);
        cookie.ShouldContain("samesite=strict", Case.Insensitive);
        var account = await browser.GetStringAsync(AccountModel.Path, Cancel);
        account.ShouldContain(WebUtility.HtmlEncode(admin.AdminEmail));
        account.ShouldContain(">Administrator<");
        using var people = await browser.GetAsync("/api/v1/people", Cancel);
        people.StatusCode.ShouldBe(HttpStatusCode.OK, "the session reads the API as the member's role allows");
        await using var db = app.Database(admin.OrganizationId);
        (await db.AuditEntries.CountAsync(a => a.Action == AuditAction.SignedIn && a.Actor == admin.AdminEmail, Cancel)).ShouldBe(1);
    }

    [Fact]
    public async Task An_unknown_address_and_a_wrong_password_get_the_same_answer_and_no_cookie()
    {
        using var admin = await NewOrganizationAsync();
        using var browser = app.Browser();

        using var unknown = await WebForms.SignInWithPasswordAsync(browser, "nobody-" + Guid.NewGuid().ToString("N") + "@example.org", Password);
        using var wrong = await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, "not the password at all");

        foreach (var response in new[] { unknown, wrong })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            WebForms.SessionCookie(response).ShouldBeNull();
        }
        var unknownError = WebForms.Error(await unknown.Content.ReadAsStringAsync(Cancel));
        unknownError.ShouldBe("That e-mail address and password do not match an account.");
        WebForms.Error(await wrong.Content.ReadAsStringAsync(Cancel)).ShouldBe(unknownError);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_with_its_time_and_even_the_right_one_waits()
    {
        using var admin = await NewOrganizationAsync();
        using var browser = app.Browser();
        using var failed = new CounterReading(app.Services, SecurityMetrics.MeterName, SecurityMetrics.SignInsName, ("outcome", "failed"));
        using var lockedOut = new CounterReading(app.Services, SecurityMetrics.MeterName, SecurityMetrics.SignInsName, ("outcome", "locked_out"));

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            using var wrong = await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, "wrong password " + attempt);
            WebForms.Error(await wrong.Content.ReadAsStringAsync(Cancel)).ShouldBe("That e-mail address and password do not match an account.");
        }
        using var fifth = await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, "wrong password 5");
        var locked = WebForms.Error(await fifth.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull();
        locked.ShouldMatch(@"^Too many failed attempts: this account is locked until \d\d:\d\d UTC \(about 1[45] min\)");

        using var right = await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, Password);
        right.StatusCode.ShouldBe(HttpStatusCode.OK);
        WebForms.SessionCookie(right).ShouldBeNull();
        WebForms.Error(await right.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldStartWith("Too many failed attempts");

        await using var db = app.Database(admin.OrganizationId);
        var actions = await db.AuditEntries.Where(a => a.EntityType == "User" && a.Actor == admin.AdminEmail)
            .OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Cancel);
        actions.ShouldBe([AuditAction.SignInFailed, AuditAction.SignInFailed, AuditAction.SignInFailed, AuditAction.SignInFailed, AuditAction.LockedOut]);
        // The security events alerting watches: four failures, then the lockout and the refused right password.
        failed.Value.ShouldBe(4);
        lockedOut.Value.ShouldBe(2);
    }

    [Theory]
    [InlineData("https://evil.example/steal")]
    [InlineData("//evil.example/steal")]
    [InlineData("/\\evil.example")]
    public async Task A_return_address_on_another_site_is_ignored(string returnUrl)
    {
        using var admin = await NewOrganizationAsync();
        using var browser = app.Browser();

        using var signedIn = await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, Password, returnUrl);

        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signedIn.Headers.Location!.ToString().ShouldBe(AccountModel.Path);
    }

    [Fact]
    public async Task A_form_posted_without_the_antiforgery_token_is_refused_with_400_and_no_session()
    {
        using var admin = await NewOrganizationAsync();
        using var browser = app.Browser();

        using var forged = await browser.PostAsync(WebSession.SignInPath,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["Email"] = admin.AdminEmail, ["Password"] = Password }), Cancel);

        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        WebForms.SessionCookie(forged).ShouldBeNull();
    }

    [Fact]
    public async Task A_made_up_session_cookie_is_not_a_session_and_signing_in_issues_a_new_one()
    {
        using var admin = await NewOrganizationAsync();
        using var browser = app.Browser();
        browser.DefaultRequestHeaders.Add("Cookie", $"{WebSession.CookieName}=planted-by-an-attacker");

        using var page = await browser.GetAsync(AccountModel.Path, Cancel);
        page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        page.Headers.Location!.ToString().ShouldContain(WebSession.SignInPath);

        using var signedIn = await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, Password);
        WebForms.SessionCookie(signedIn).ShouldNotBeNull().ShouldNotContain("planted-by-an-attacker");
    }

    [Fact]
    public async Task Signing_out_everywhere_ends_the_other_sessions_and_keeps_this_one()
    {
        using var admin = await NewOrganizationAsync();
        using var here = app.Browser();
        using var elsewhere = app.Browser();
        (await WebForms.SignInWithPasswordAsync(here, admin.AdminEmail, Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await WebForms.SignInWithPasswordAsync(elsewhere, admin.AdminEmail, Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        using var done = await WebForms.PostAsync(here, AccountModel.Path, [], AccountModel.Path + "?handler=SignOutEverywhere");

        done.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await done.Content.ReadAsStringAsync(Cancel)).ShouldContain("Every other session is signed out");
        (await here.GetAsync(AccountModel.Path, Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var ended = await elsewhere.GetAsync(AccountModel.Path, Cancel);
        ended.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        ended.Headers.Location!.ToString().ShouldContain(WebSession.SignInPath);
    }

    [Fact]
    public async Task Changing_the_password_ends_other_sessions_and_only_the_new_password_works()
    {
        using var admin = await NewOrganizationAsync();
        using var here = app.Browser();
        using var elsewhere = app.Browser();
        await WebForms.SignInWithPasswordAsync(here, admin.AdminEmail, Password);
        await WebForms.SignInWithPasswordAsync(elsewhere, admin.AdminEmail, Password);
        const string newPassword = "a much longer new passphrase";

        using var mismatch = await WebForms.PostAsync(here, AccountModel.Path,
            new() { ["CurrentPassword"] = Password, ["NewPassword"] = newPassword, ["ConfirmPassword"] = "something else entirely" },
            AccountModel.Path + "?handler=ChangePassword");
        WebForms.Error(await mismatch.Content.ReadAsStringAsync(Cancel)).ShouldBe("The new password and its confirmation differ.");
        using var changed = await WebForms.PostAsync(here, AccountModel.Path,
            new() { ["CurrentPassword"] = Password, ["NewPassword"] = newPassword, ["ConfirmPassword"] = newPassword },
            AccountModel.Path + "?handler=ChangePassword");

        (await changed.Content.ReadAsStringAsync(Cancel)).ShouldContain("Your password was changed.");
        (await here.GetAsync(AccountModel.Path, Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await elsewhere.GetAsync(AccountModel.Path, Cancel)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        using var third = app.Browser();
        WebForms.SessionCookie(await WebForms.SignInWithPasswordAsync(third, admin.AdminEmail, Password)).ShouldBeNull();
        WebForms.SessionCookie(await WebForms.SignInWithPasswordAsync(third, admin.AdminEmail, newPassword)).ShouldNotBeNull();
    }

    [Fact]
    public async Task A_role_change_reaches_an_open_session_and_removing_the_member_ends_it()
    {
        using var admin = await NewOrganizationAsync();
        var person = (await admin.CreateAsync("/api/v1/people", new { firstName = "Lydia", lastName = "Thyatira" }))["id"]!.GetValue<long>();
        using var browser = app.Browser();
        await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, Password);
        var notes = $"/api/v1/people/{person}/notes";
        (await browser.GetAsync(notes, Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await SetMembershipAsync(admin, m => m.SetProperty(x => x.Role, OrganizationRole.Viewer));
        (await browser.GetAsync(notes, Cancel)).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "viewers do not read pastoral notes");
        (await browser.GetAsync("/api/v1/people", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await using (var db = app.Database(admin.OrganizationId))
        {
            (await db.Memberships.ExecuteDeleteAsync(Cancel)).ShouldBe(1);
        }
        using var ended = await browser.GetAsync(AccountModel.Path, Cancel);
        ended.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        ended.Headers.Location!.ToString().ShouldContain(WebSession.SignInPath);
    }

    [Fact]
    public async Task A_member_of_two_organizations_switches_between_them_and_cannot_switch_into_a_third()
    {
        using var first = await NewOrganizationAsync();
        using var second = await NewOrganizationAsync();
        using var stranger = await NewOrganizationAsync();
        await second.CreateAsync("/api/v1/people", new { firstName = "Priscilla", lastName = "Corinth" });
        await AddMemberAsync(second.OrganizationId, first.AdminEmail, OrganizationRole.Staff);
        // They last worked in the first organization, so signing in opens that one.
        await using (var db = app.Database(first.OrganizationId))
        {
            await db.Users.Where(u => u.Email == first.AdminEmail)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.CurrentOrganizationId, first.OrganizationId), Cancel);
        }
        using var browser = app.Browser();
        await WebForms.SignInWithPasswordAsync(browser, first.AdminEmail, Password);
        (await PeopleNamesAsync(browser)).ShouldNotContain("Priscilla");

        using var refused = await WebForms.PostAsync(browser, AccountModel.Path,
            new() { ["organizationId"] = stranger.OrganizationId.ToString(CultureInfo.InvariantCulture) }, AccountModel.Path + "?handler=Switch");
        WebForms.Error(await refused.Content.ReadAsStringAsync(Cancel)).ShouldBe("You are not a member of that organization.");
        using var switched = await WebForms.PostAsync(browser, AccountModel.Path,
            new() { ["organizationId"] = second.OrganizationId.ToString(CultureInfo.InvariantCulture) }, AccountModel.Path + "?handler=Switch");

        switched.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await PeopleNamesAsync(browser)).ShouldContain("Priscilla");
        (await browser.GetStringAsync(AccountModel.Path, Cancel)).ShouldContain(">Staff<");
    }

    [Fact]
    public async Task An_organization_that_switched_passwords_off_refuses_password_sign_in()
    {
        using var admin = await NewOrganizationAsync();
        await using (var db = app.Database(admin.OrganizationId))
        {
            await db.Organizations.Where(o => o.Id == admin.OrganizationId)
                .ExecuteUpdateAsync(o => o.SetProperty(x => x.LocalPasswordsDisabled, true), Cancel);
        }
        using var browser = app.Browser();

        using var refused = await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, Password);

        WebForms.SessionCookie(refused).ShouldBeNull();
        WebForms.Error(await refused.Content.ReadAsStringAsync(Cancel)).ShouldBe("Your organization signs in through its identity provider, not with a password.");
    }

    /// <summary>These tests are about passwords and sessions: their organizations do not require a second factor.</summary>
    private async Task<ApiClient> NewOrganizationAsync()
    {
        var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        await using var db = app.Database(admin.OrganizationId);
        await db.Organizations.Where(o => o.Id == admin.OrganizationId)
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.TwoFactorRequiredRoles, ""), Cancel);
        return admin;
    }

    private async Task SetMembershipAsync(ApiClient admin, Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<OrganizationMembership>> change)
    {
        await using var db = app.Database(admin.OrganizationId);
        (await db.Memberships.ExecuteUpdateAsync(change, Cancel)).ShouldBe(1);
    }

    private async Task AddMemberAsync(long organizationId, string email, OrganizationRole role)
    {
        await using var db = app.Database(organizationId);
        var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Cancel);
        db.Memberships.Add(new OrganizationMembership { UserId = userId, Role = role });
        await db.SaveChangesAsync(Cancel);
    }

    private static async Task<List<string>> PeopleNamesAsync(HttpClient browser)
    {
        var page = await browser.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/people", Cancel);
        return [.. page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("firstName").GetString()!)];
    }
}
