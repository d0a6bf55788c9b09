using System.Text.Json;
using Microsoft.Playwright;
using Shepherd.Data.Accounts;
using Shepherd.E2E.Infrastructure;
using Shepherd.Platform.Web;
using Shouldly;

namespace Shepherd.E2E;

/// <summary>
/// Passkeys in a real browser: Chromium's virtual authenticator (over CDP) plays the device, so /js/passkeys.js runs the
/// real WebAuthn ceremonies against the real server. Every test uses a user and a browser tab of its own.
/// </summary>
public sealed class PasskeyTests(Chromium chromium, PasskeyTests.PasskeyServer server) : BrowserTest(chromium, server), IClassFixture<PasskeyTests.PasskeyServer>
{
    private readonly PasskeyServer _church = server;

    [Fact]
    public async Task A_member_adds_a_passkey_sees_it_listed_and_signs_in_with_it_without_a_password()
    {
        var member = await _church.NewMemberAsync();
        var browser = await SignedInAsync(member);
        var authenticator = await VirtualAuthenticator.AddAsync(browser);
        await browser.Page.GetByRole(AriaRole.Link, new() { Name = "Passkeys", Exact = true }).ClickAsync();
        await browser.ShouldBeAtAsync(PasskeysModel.Path);
        (await browser.Page.Locator("#passkeys-none").InnerTextAsync()).ShouldBe("You have no passkeys.");
        await browser.AssertAccessibleAsync();

        await AddPasskeyAsync(browser, "Work laptop");

        (await browser.Page.GetByRole(AriaRole.Status).InnerTextAsync()).ShouldContain("Passkey “Work laptop” added");
        (await browser.Page.Locator("#passkeys-list tbody tr").CountAsync()).ShouldBe(1);
        (await browser.Page.Locator("#passkeys-list tbody tr td").First.InnerTextAsync()).ShouldBe("Work laptop");
        // The device really holds it: one resident credential for this site, bound to "localhost".
        var credentials = await authenticator.CredentialsAsync();
        credentials.Count.ShouldBe(1);
        credentials[0].GetProperty("rpId").GetString().ShouldBe("localhost");
        credentials[0].GetProperty("isResidentCredential").GetBoolean().ShouldBeTrue();
        await browser.AssertAccessibleAsync();
        await browser.AssertNoProblemsAsync();

        await SignOutAsync(browser);
        await PressPasskeyButtonAsync(browser, "#passkey-signin");

        await browser.ShouldBeAtAsync("/account");
        (await browser.Page.GetByRole(AriaRole.Main).InnerTextAsync()).ShouldContain($"Signed in as {member.Email}");
        (await authenticator.CredentialsAsync())[0].GetProperty("signCount").GetInt32().ShouldBeGreaterThan(0);
        await browser.AssertNoProblemsAsync();
    }

    [Fact]
    public async Task A_browser_without_the_WebAuthn_JSON_helpers_adds_a_passkey_and_signs_in_with_the_scripts_own_conversion()
    {
        // Older browsers (before 2024) have no parse*OptionsFromJSON nor credential.toJSON: the script converts itself.
        var member = await _church.NewMemberAsync();
        var browser = await SignedInAsync(member);
        await browser.Context.AddInitScriptAsync("""
            delete PublicKeyCredential.parseCreationOptionsFromJSON;
            delete PublicKeyCredential.parseRequestOptionsFromJSON;
            delete PublicKeyCredential.prototype.toJSON;
            """);
        var authenticator = await VirtualAuthenticator.AddAsync(browser);
        await browser.GoToAsync(PasskeysModel.Path);
        (await browser.Page.EvaluateAsync<bool>("() => 'parseCreationOptionsFromJSON' in PublicKeyCredential || 'toJSON' in PublicKeyCredential.prototype"))
            .ShouldBeFalse();

        await AddPasskeyAsync(browser, "Old browser");

        (await browser.Page.Locator("#passkeys-list tbody tr").CountAsync()).ShouldBe(1);
        (await authenticator.CredentialsAsync()).Count.ShouldBe(1);
        await SignOutAsync(browser);
        await PressPasskeyButtonAsync(browser, "#passkey-signin");
        await browser.ShouldBeAtAsync("/account");
        (await browser.Page.GetByRole(AriaRole.Main).InnerTextAsync()).ShouldContain($"Signed in as {member.Email}");
        await browser.AssertNoProblemsAsync();
    }

    [Fact]
    public async Task An_administrator_whose_organization_requires_two_factor_finishes_the_password_sign_in_with_a_passkey()
    {
        var administrator = await _church.NewUserAsync(_church.OrganizationId, OrganizationRole.Administrator, "admin");
        var browser = await OpenAsync("/signin");
        var authenticator = await VirtualAuthenticator.AddAsync(browser);
        // Without a second factor the organization sends the administrator to set one up first.
        await SubmitPasswordAsync(browser, administrator.Email, administrator.Password);
        await browser.ShouldBeAtAsync(TwoFactorModel.Path);
        await browser.GoToAsync(PasskeysModel.Path);
        await AddPasskeyAsync(browser, "Phone");
        (await browser.Page.Locator("#passkeys-list tbody tr").CountAsync()).ShouldBe(1);
        (await authenticator.CredentialsAsync()).Count.ShouldBe(1);
        await SignOutAsync(browser);

        // The password alone is not enough: the second step offers the passkey, and the passkey finishes it.
        await SubmitPasswordAsync(browser, administrator.Email, administrator.Password);
        await browser.ShouldBeAtAsync("/signin/two-factor");
        (await browser.Page.Locator("#code").CountAsync()).ShouldBe(0, "no authenticator app is set up, so no code field");
        await browser.AssertAccessibleAsync();
        await PressPasskeyButtonAsync(browser, "#passkey-second-factor");

        await browser.ShouldBeAtAsync("/account");
        (await browser.Page.GetByRole(AriaRole.Main).InnerTextAsync()).ShouldContain($"Signed in as {administrator.Email}");
        // A full session: the administrator's pages open (a set-up-only session would be refused).
        await browser.GoToAsync(PasskeysModel.Path);
        await browser.AssertNoProblemsAsync();
    }

    [Fact]
    public async Task A_removed_passkey_no_longer_signs_in_and_the_page_says_so()
    {
        var member = await _church.NewMemberAsync();
        var browser = await SignedInAsync(member);
        var authenticator = await VirtualAuthenticator.AddAsync(browser);
        await browser.GoToAsync(PasskeysModel.Path);
        await AddPasskeyAsync(browser, "Old phone");

        await browser.SubmitAsync("Remove Old phone");

        (await browser.Page.GetByRole(AriaRole.Status).InnerTextAsync()).ShouldStartWith("Passkey removed.");
        (await browser.Page.Locator("#passkeys-none").InnerTextAsync()).ShouldBe("You have no passkeys.");
        await browser.AssertAccessibleAsync();
        await SignOutAsync(browser);

        // The device still offers the credential; the server no longer knows it.
        (await authenticator.CredentialsAsync()).Count.ShouldBe(1);
        await PressPasskeyButtonAsync(browser, "#passkey-signin");
        var error = browser.Page.Locator("#passkey-error");
        (await error.GetAttributeAsync("role")).ShouldBe("alert");
        (await browser.AlertAsync()).ShouldBe(PasskeySignInModel.Rejected);
        await browser.AssertAccessibleAsync();
        // No session was opened.
        await browser.Page.GotoAsync("/account");
        browser.Path.ShouldBe("/signin");
        await browser.AssertNoProblemsAsync();
    }

    /// <summary>Names the passkey and presses "Add a passkey"; the browser's ceremony runs and the page comes back.</summary>
    private static async Task AddPasskeyAsync(BrowserPage browser, string name)
    {
        await browser.Page.GetByLabel("Name (which device or password manager it is on)").FillAsync(name);
        await PressPasskeyButtonAsync(browser, "#passkey-add");
        var error = browser.Page.Locator("#passkey-error");
        (await error.IsVisibleAsync()).ShouldBeFalse(await error.InnerTextAsync());
    }

    /// <summary>
    /// Presses a passkey button: the script fetches the options, the virtual authenticator answers, the script posts the
    /// form. Waits for that answer page; when none comes the failure names what the script showed or logged.
    /// </summary>
    private static async Task PressPasskeyButtonAsync(BrowserPage browser, string button)
    {
        try
        {
            await browser.SubmitAsync(browser.Page.Locator(button));
        }
        catch (TimeoutException)
        {
            var shown = await browser.Page.Locator("#passkey-error").InnerTextAsync();
            throw new ShouldAssertException($"Pressing {button} posted no form. The page shows “{shown}”; problems: {string.Join("; ", browser.Problems)}");
        }
    }

    /// <summary>Chromium's virtual authenticator in one tab: a platform authenticator with user verification that says yes.</summary>
    private sealed class VirtualAuthenticator(ICDPSession cdp, string id)
    {
        public static async Task<VirtualAuthenticator> AddAsync(BrowserPage browser)
        {
            var cdp = await browser.Context.NewCDPSessionAsync(browser.Page);
            await cdp.SendAsync("WebAuthn.enable");
            var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
            {
                ["options"] = new Dictionary<string, object>
                {
                    ["protocol"] = "ctap2",
                    ["transport"] = "internal",
                    ["hasResidentKey"] = true,
                    ["hasUserVerification"] = true,
                    ["isUserVerified"] = true,
                    ["automaticPresenceSimulation"] = true,
                },
            });
            return new VirtualAuthenticator(cdp, added!.Value.GetProperty("authenticatorId").GetString()!);
        }

        public async Task<IReadOnlyList<JsonElement>> CredentialsAsync()
        {
            var answer = await cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = id });
            return [.. answer!.Value.GetProperty("credentials").EnumerateArray()];
        }
    }

    /// <summary>
    /// A server the browser opens as http://localhost:port, without a public URL: passkeys then belong to the request's
    /// host, "localhost" (an IP address such as 127.0.0.1 is no valid relying party, and Chromium treats localhost as a
    /// secure context). Grace Church requires two-factor sign-in for administrators, the default.
    /// </summary>
    public sealed class PasskeyServer : ShepherdServer
    {
        public PasskeyServer() => Settings["Shepherd:Mail:PublicUrl"] = "";

        public long OrganizationId { get; private set; }

        public override Uri Address => new UriBuilder(base.Address) { Host = "localhost" }.Uri;

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            OrganizationId = await NewOrganizationAsync(new Account("pastor@grace.example", Password), "Grace Church");
        }

        public Task<Account> NewMemberAsync() => NewUserAsync(OrganizationId, OrganizationRole.Staff);
    }
}
