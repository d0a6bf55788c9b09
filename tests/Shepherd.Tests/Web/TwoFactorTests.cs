using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Audit;
using Shepherd.Platform.Web;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Web;

/// <summary>
/// Two-factor sign-in with an authenticator app: required for administrators by default (nothing opens until it is set
/// up), enrollment with the key and recovery codes, the second step at sign-in, recovery codes used once.
/// </summary>
public sealed partial class TwoFactorTests(WebSqliteApp app) : IClassFixture<WebSqliteApp>
{
    private const string Password = "correct horse battery staple";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_administrator_must_set_it_up_first_then_every_sign_in_needs_a_code()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var browser = app.Browser();

        using var first = await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, Password);
        first.Headers.Location!.ToString().ShouldBe(TwoFactorModel.Path, "administrators must set up two-factor sign-in by default");
        (await browser.GetAsync("/api/v1/people", Cancel)).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "nothing opens before it is set up");
        var setup = await browser.GetStringAsync(TwoFactorModel.Path, Cancel);
        setup.ShouldContain("id=\"twofactor-required\"");
        setup.ShouldContain("<svg");
        var key = WebUtility.HtmlDecode(SharedKey().Match(setup).Groups[1].Value);

        using var wrong = await browser.PostAsync(TwoFactorModel.Path + "?handler=Enable", WebForms.Form(setup, new() { ["Code"] = "000000" }), Cancel);
        WebForms.Error(await wrong.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldStartWith("That code is not right.");
        var enablingCode = Totp.Code(key, TimeProvider.System.GetUtcNow());
        using var enabled = await browser.PostAsync(TwoFactorModel.Path + "?handler=Enable", WebForms.Form(setup, new() { ["Code"] = enablingCode }), Cancel);
        var codesPage = await enabled.Content.ReadAsStringAsync(Cancel);
        var recoveryCodes = RecoveryCode().Matches(codesPage).Select(m => m.Groups[1].Value).ToList();
        recoveryCodes.Count.ShouldBe(10, codesPage);
        (await browser.GetAsync("/api/v1/people", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK, "this session set it up and goes on");

        // A new sign-in: the password alone opens nothing; the code does.
        using var second = app.Browser();
        using var password = await WebForms.SignInWithPasswordAsync(second, admin.AdminEmail, Password);
        password.Headers.Location!.ToString().ShouldBe(TwoFactorSignInModel.Path);
        WebForms.SessionCookie(password).ShouldBeNull();
        (await second.GetAsync("/api/v1/people", Cancel)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var badCode = await WebForms.PostAsync(second, TwoFactorSignInModel.Path, new() { ["Code"] = "123456" });
        WebForms.Error(await badCode.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldStartWith("That code is not right.");
        // The code used to turn it on is spent: the app's next code (accepted a step early, as a phone's clock may run ahead).
        var nextCode = Totp.Code(key, TimeProvider.System.GetUtcNow().AddSeconds(30));
        (await SignInWithCodeAsync(admin.AdminEmail, enablingCode)).ShouldBeFalse("an app code works once");
        using var signedIn = await WebForms.PostAsync(second, TwoFactorSignInModel.Path, new() { ["Code"] = nextCode });
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, await signedIn.Content.ReadAsStringAsync(Cancel));
        signedIn.Headers.Location!.ToString().ShouldBe(AccountModel.Path);
        (await second.GetAsync("/api/v1/people", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await SignInWithCodeAsync(admin.AdminEmail, nextCode)).ShouldBeFalse("a code seen over a shoulder does not open a second session");

        // A recovery code signs in once.
        (await SignInWithCodeAsync(admin.AdminEmail, recoveryCodes[0])).ShouldBeTrue();
        (await SignInWithCodeAsync(admin.AdminEmail, recoveryCodes[0])).ShouldBeFalse("a recovery code works once");

        await using var db = app.Database(admin.OrganizationId);
        (await db.AuditEntries.CountAsync(a => a.Action == AuditAction.TwoFactorChanged && a.Actor == admin.AdminEmail, Cancel)).ShouldBe(1);
    }

    [Fact]
    public async Task The_second_step_without_a_password_first_goes_back_to_sign_in()
    {
        using var browser = app.Browser();
        using var page = await browser.GetAsync(TwoFactorSignInModel.Path, Cancel);
        page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        page.Headers.Location!.ToString().ShouldBe(WebSession.SignInPath);

        browser.DefaultRequestHeaders.Add("Cookie", $"{TwoFactorPending.CookieName}=forged-value");
        using var forged = await browser.GetAsync(TwoFactorSignInModel.Path, Cancel);
        forged.Headers.Location!.ToString().ShouldBe(WebSession.SignInPath);
    }

    [Fact]
    public async Task A_required_second_factor_cannot_be_turned_off_by_the_user()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var browser = app.Browser();
        await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, Password);
        var setup = await browser.GetStringAsync(TwoFactorModel.Path, Cancel);
        var key = WebUtility.HtmlDecode(SharedKey().Match(setup).Groups[1].Value);
        await browser.PostAsync(TwoFactorModel.Path + "?handler=Enable", WebForms.Form(setup, new() { ["Code"] = Totp.Code(key, TimeProvider.System.GetUtcNow()) }), Cancel);

        var page = await browser.GetStringAsync(TwoFactorModel.Path, Cancel);
        page.ShouldNotContain("Turn two-factor sign-in off");
        using var refused = await browser.PostAsync(TwoFactorModel.Path + "?handler=Disable",
            WebForms.Form(page, new() { ["Code"] = Totp.Code(key, TimeProvider.System.GetUtcNow().AddSeconds(30)) }), Cancel);

        WebForms.Error(await refused.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldStartWith("Your organization requires two-factor sign-in");
        (await browser.GetStringAsync(TwoFactorModel.Path, Cancel)).ShouldContain("Two-factor sign-in is <strong>on</strong>");
    }

    private async Task<bool> SignInWithCodeAsync(string email, string code)
    {
        using var browser = app.Browser();
        await WebForms.SignInWithPasswordAsync(browser, email, Password);
        using var response = await WebForms.PostAsync(browser, TwoFactorSignInModel.Path, new() { ["Code"] = code });
        return WebForms.SessionCookie(response) is not null;
    }

    [GeneratedRegex("<code id=\"shared-key\">([^<]+)</code>")]
    private static partial Regex SharedKey();

    [GeneratedRegex("<li><code>([^<]+)</code></li>")]
    private static partial Regex RecoveryCode();
}
