using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Shepherd.E2E.Infrastructure;
using Shepherd.Tests.Web;
using Shouldly;

namespace Shepherd.E2E;

/// <summary>
/// Signing in as a person does it in a browser: password, lockout, two-factor with an authenticator app and recovery
/// codes, forgotten password through the e-mailed link. Every test uses a user of its own on one shared server.
/// </summary>
public sealed partial class SignInTests(Chromium chromium, ChurchServer server) : BrowserTest(chromium, server), IClassFixture<ChurchServer>
{
    private readonly ChurchServer _church = server;

    [Fact]
    public async Task A_member_signs_in_with_a_password_and_signs_out_again()
    {
        var member = await _church.NewMemberAsync();
        var browser = await OpenAsync("/signin");
        await browser.AssertAccessibleAsync();

        await SubmitPasswordAsync(browser, member.Email, member.Password);

        await browser.ShouldBeAtAsync("/account");
        await browser.Page.GetByRole(AriaRole.Heading, new() { Name = "Your account" }).WaitForAsync();
        (await browser.Page.GetByRole(AriaRole.Main).InnerTextAsync()).ShouldContain($"Signed in as {member.Email}");
        (await browser.Page.GetByRole(AriaRole.Table).InnerTextAsync()).ShouldContain(ChurchServer.OrganizationName);
        await browser.AssertAccessibleAsync();

        await SignOutAsync(browser);
        await browser.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" }).WaitForAsync();
        // The session is gone: the account page sends the browser back to sign in.
        await browser.Page.GotoAsync("/account");
        browser.Path.ShouldBe("/signin");
        await browser.AssertNoProblemsAsync();
    }

    [Fact]
    public async Task A_wrong_password_shows_the_error_keeps_the_address_and_enough_of_them_lock_the_account_with_a_time()
    {
        var member = await _church.NewMemberAsync();
        var browser = await OpenAsync("/signin");

        await SubmitPasswordAsync(browser, member.Email, "not the password at all");

        (await browser.AlertAsync()).ShouldBe("That e-mail address and password do not match an account.");
        (await browser.Page.GetByLabel("E-mail address").InputValueAsync()).ShouldBe(member.Email);
        (await browser.Page.GetByLabel("Password").InputValueAsync()).ShouldBeEmpty();
        await browser.AssertAccessibleAsync();

        for (var attempt = 2; attempt <= ShepherdServer.LockoutAttempts; attempt++)
        {
            await SubmitPasswordAsync(browser, member.Email, "still not the password");
        }
        // Locked now: even the right password is refused, and the page says until when.
        await SubmitPasswordAsync(browser, member.Email, member.Password);
        var locked = await browser.AlertAsync();
        LockedUntil().IsMatch(locked).ShouldBeTrue(locked);
        browser.Path.ShouldBe("/signin");
        await browser.AssertNoProblemsAsync();
    }

    [Fact]
    public async Task Two_factor_enrollment_with_an_authenticator_code_then_sign_in_asks_for_a_code_and_a_recovery_code_works_once()
    {
        var member = await _church.NewMemberAsync();
        var browser = await SignedInAsync(member);
        await browser.Page.GetByRole(AriaRole.Link, new() { Name = "Two-factor sign-in" }).ClickAsync();
        await browser.ShouldBeAtAsync("/account/two-factor");
        (await browser.Page.Locator("#twofactor-status").InnerTextAsync()).ShouldContain("off");
        await browser.AssertAccessibleAsync();

        var key = (await browser.Page.Locator("#shared-key").InnerTextAsync()).Trim();
        key.ShouldNotBeNullOrWhiteSpace();
        await browser.Page.GetByLabel("Code from the app").FillAsync("000000");
        await browser.SubmitAsync("Turn on two-factor sign-in");
        (await browser.AlertAsync()).ShouldNotBeNullOrWhiteSpace();

        await browser.Page.GetByLabel("Code from the app").FillAsync(Totp.Code(key, TimeProvider.System.GetUtcNow()));
        await browser.SubmitAsync("Turn on two-factor sign-in");

        await browser.Page.GetByRole(AriaRole.Heading, new() { Name = "Your recovery codes" }).WaitForAsync();
        (await browser.Page.Locator("#twofactor-status").InnerTextAsync()).ShouldContain("on");
        var recoveryCodes = (await browser.Page.Locator("#recovery-codes li").AllInnerTextsAsync()).Select(c => c.Trim()).ToList();
        recoveryCodes.Count.ShouldBeGreaterThanOrEqualTo(5);
        await browser.AssertAccessibleAsync();
        await SignOutAsync(browser);
        await browser.AssertNoProblemsAsync();

        // The password alone no longer opens the account: the browser is asked for a code, and the app's code opens it.
        await SubmitPasswordAsync(browser, member.Email, member.Password);
        await browser.ShouldBeAtAsync("/signin/two-factor");
        await browser.AssertAccessibleAsync();
        // The code that turned it on is spent (each code works once): the app's next one, a step early.
        await EnterCodeAsync(browser, Totp.Code(key, TimeProvider.System.GetUtcNow().AddSeconds(30)));
        await browser.ShouldBeAtAsync("/account");
        await SignOutAsync(browser);

        // A recovery code instead of the app's code works once...
        var recovery = await OpenAsync("/signin");
        await SubmitPasswordAsync(recovery, member.Email, member.Password);
        await recovery.ShouldBeAtAsync("/signin/two-factor");
        await EnterCodeAsync(recovery, recoveryCodes[0]);
        await recovery.ShouldBeAtAsync("/account");
        await recovery.AssertNoProblemsAsync();

        // ...and not twice.
        var again = await OpenAsync("/signin");
        await SubmitPasswordAsync(again, member.Email, member.Password);
        await again.ShouldBeAtAsync("/signin/two-factor");
        await EnterCodeAsync(again, recoveryCodes[0]);
        (await again.AlertAsync()).ShouldNotBeNullOrWhiteSpace();
        again.Path.ShouldBe("/signin/two-factor");
        await again.AssertNoProblemsAsync();
    }

    [Fact]
    public async Task A_forgotten_password_is_replaced_through_the_emailed_link_and_the_new_one_signs_in()
    {
        var member = await _church.NewMemberAsync();
        var browser = await OpenAsync("/signin");
        await browser.Page.GetByRole(AriaRole.Link, new() { Name = "Forgot your password?" }).ClickAsync();
        await browser.ShouldBeAtAsync("/account/forgot");
        await browser.Page.GetByLabel("E-mail address").FillAsync(member.Email);
        await browser.SubmitAsync("Send the link");
        await browser.Page.GetByRole(AriaRole.Status).WaitForAsync();

        var link = await MailedLinkAsync(member.Email);
        link.ShouldStartWith("/account/reset");
        var reset = await OpenAsync(link);
        const string newPassword = "a brand new passphrase";
        await reset.Page.GetByLabel("New password (at least 10 characters)").FillAsync(newPassword);
        await reset.Page.GetByLabel("New password again").FillAsync(newPassword);
        await reset.SubmitAsync("Set the new password");
        (await reset.Page.GetByRole(AriaRole.Status).InnerTextAsync()).ShouldStartWith("Your password was changed");
        await reset.AssertNoProblemsAsync();

        await SubmitPasswordAsync(reset, member.Email, member.Password);
        (await reset.AlertAsync()).ShouldBe("That e-mail address and password do not match an account.");
        await SignedInAsync(member with { Password = newPassword });
        await browser.AssertNoProblemsAsync();
    }

    [Fact]
    public async Task The_watchers_catch_a_content_security_policy_violation_and_an_unlabelled_field()
    {
        // Proves the checks the other tests rely on. An inline style is something the policy forbids...
        var browser = await OpenAsync("/signin");
        await browser.Page.EvaluateAsync("() => { const s = document.createElement('style'); s.textContent = 'body{}'; document.head.appendChild(s); }");
        await browser.FlushAsync();
        browser.Problems.ShouldContain(p => p.StartsWith("CSP violation: style-src", StringComparison.Ordinal));

        // ...and a field nobody can name is a critical accessibility problem.
        await browser.Page.EvaluateAsync("() => document.querySelector('main').appendChild(document.createElement('input'))");
        (await browser.SeriousAccessibilityProblemsAsync()).ShouldContain(p => p.StartsWith("critical label:", StringComparison.Ordinal));
    }

    private static async Task EnterCodeAsync(BrowserPage browser, string code)
    {
        await browser.Page.GetByLabel("Code", new() { Exact = true }).FillAsync(code);
        await browser.SubmitAsync("Sign in");
    }

    private async Task<string> MailedLinkAsync(string to) => (await _church.Smtp.SingleAsync(to, TimeSpan.FromSeconds(20))).Link;

    [GeneratedRegex(@"^Too many failed attempts: this account is locked until \d\d:\d\d UTC \(about \d+ min\)")]
    private static partial Regex LockedUntil();
}
