using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.Google;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Security;
using Shepherd.Platform.Web;
using Shepherd.Tests.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Web;

/// <summary>
/// Shepherd with an OpenID Connect provider "Test" and Google, both played by a <see cref="FakeOidcProvider"/> on
/// 127.0.0.1 that Shepherd's handlers talk to over real HTTP (Google's endpoints are pointed at it: faking the third
/// party); mail goes to an SMTP sink.
/// </summary>
public sealed class ExternalSignInApp : MailApp
{
    public const string Scheme = "Test";
    public const string DisplayName = "Test IdP";

    public FakeOidcProvider Idp { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Idp = await FakeOidcProvider.StartAsync();
        Settings[$"Shepherd:Authentication:OpenIdConnect:{Scheme}:Authority"] = Idp.Issuer;
        Settings[$"Shepherd:Authentication:OpenIdConnect:{Scheme}:ClientId"] = FakeOidcProvider.ClientId;
        Settings[$"Shepherd:Authentication:OpenIdConnect:{Scheme}:ClientSecret"] = FakeOidcProvider.ClientSecret;
        Settings[$"Shepherd:Authentication:OpenIdConnect:{Scheme}:DisplayName"] = DisplayName;
        Settings["Shepherd:Authentication:Google:ClientId"] = FakeOidcProvider.GoogleClientId;
        Settings["Shepherd:Authentication:Google:ClientSecret"] = FakeOidcProvider.GoogleClientSecret;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.PostConfigure<GoogleOptions>(GoogleDefaults.AuthenticationScheme, o =>
        {
            o.AuthorizationEndpoint = Idp.Issuer + "/authorize";
            o.TokenEndpoint = Idp.Issuer + "/token";
            o.UserInformationEndpoint = Idp.Issuer + "/userinfo";
        }));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Idp.DisposeAsync();
    }
}

/// <summary>
/// Signing in through an external provider: a linked login opens a session (second factor included), every spoiled
/// answer is refused with a page that says so, an unlinked login is linked only through a mailed confirmation, nothing
/// is created for strangers, and an organization can turn passwords off without locking itself out.
/// </summary>
public sealed partial class ExternalSignInTests(ExternalSignInApp app, SqliteApp plainApp) : IClassFixture<ExternalSignInApp>
{
    private const string Password = "correct horse battery staple";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_linked_user_signs_in_with_the_provider_and_the_session_works_and_is_audited_with_the_provider()
    {
        using var admin = await NewOrganizationAsync();
        var subject = await LinkAsync(admin.AdminEmail, ExternalSignInApp.Scheme);
        app.Idp.Next = new FakeOidcProvider.Identity(subject, admin.AdminEmail, true);
        var redemptions = app.Idp.VerifiedPkceRedemptions;
        using var succeeded = new CounterReading(app.Services, SecurityMetrics.MeterName, SecurityMetrics.SignInsName, ("outcome", "succeeded"), ("step", "external"));
        using var browser = app.Browser();

        var signInPage = await browser.GetStringAsync(WebSession.SignInPath, Cancel);
        signInPage.ShouldContain("Sign in with " + ExternalSignInApp.DisplayName);
        signInPage.ShouldContain("Sign in with Google");
        using var done = await SignInWithProviderAsync(browser, ExternalSignInApp.Scheme, returnUrl: "/account?from=idp");

        done.StatusCode.ShouldBe(HttpStatusCode.Redirect, await done.Content.ReadAsStringAsync(Cancel));
        done.Headers.Location!.ToString().ShouldBe("/account?from=idp");
        WebForms.SessionCookie(done).ShouldNotBeNull();
        app.Idp.VerifiedPkceRedemptions.ShouldBe(redemptions + 1, "the code was redeemed with the PKCE verifier");
        using var people = await browser.GetAsync("/api/v1/people", Cancel);
        people.StatusCode.ShouldBe(HttpStatusCode.OK);
        var account = await browser.GetStringAsync(AccountModel.Path, Cancel);
        account.ShouldContain("Unlink " + ExternalSignInApp.Scheme);
        await using var db = app.Database(admin.OrganizationId);
        var audit = await db.AuditEntries.SingleAsync(a => a.Action == AuditAction.SignedIn && a.Actor == admin.AdminEmail, Cancel);
        audit.Changes.ShouldNotBeNull().ShouldContain("signed in with Test");
        succeeded.Value.ShouldBe(1);
    }

    [Fact]
    public async Task A_linked_user_with_two_factor_on_is_sent_to_the_code_page_and_signed_in_after_the_code()
    {
        using var admin = await NewOrganizationAsync();
        var subject = await LinkAsync(admin.AdminEmail, ExternalSignInApp.Scheme);
        var key = await TurnOnTwoFactorAsync(admin.AdminEmail);
        app.Idp.Next = new FakeOidcProvider.Identity(subject, admin.AdminEmail, true);
        using var browser = app.Browser();

        using var done = await SignInWithProviderAsync(browser, ExternalSignInApp.Scheme);

        done.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        done.Headers.Location!.ToString().ShouldBe(TwoFactorSignInModel.Path);
        WebForms.SessionCookie(done).ShouldBeNull("no session before the second factor");
        using var code = await WebForms.PostAsync(browser, TwoFactorSignInModel.Path,
            new() { ["Code"] = Totp.Code(key, TimeProvider.System.GetUtcNow().AddSeconds(30)) });
        code.StatusCode.ShouldBe(HttpStatusCode.Redirect, await code.Content.ReadAsStringAsync(Cancel));
        WebForms.SessionCookie(code).ShouldNotBeNull();
        (await browser.GetAsync("/api/v1/people", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var db = app.Database(admin.OrganizationId);
        (await db.AuditEntries.SingleAsync(a => a.Action == AuditAction.SignedIn && a.Actor == admin.AdminEmail, Cancel))
            .Changes.ShouldNotBeNull().ShouldContain("signed in with Test");
    }

    public static TheoryData<string, string> SpoiledAnswers => new()
    {
        { "bad signature", "SecurityTokenInvalidSignatureException" },
        { "wrong issuer", "SecurityTokenInvalidIssuerException" },
        { "wrong audience", "SecurityTokenInvalidAudienceException" },
        { "expired", "SecurityTokenExpiredException" },
        { "nonce mismatch", "OpenIdConnectProtocolInvalidNonceException" },
    };

    [Theory]
    [MemberData(nameof(SpoiledAnswers))]
    public async Task A_spoiled_id_token_opens_no_session_says_so_and_is_audited_as_a_failed_sign_in(string spoiled, string reason)
    {
        using var admin = await NewOrganizationAsync();
        var subject = await LinkAsync(admin.AdminEmail, ExternalSignInApp.Scheme);
        var identity = new FakeOidcProvider.Identity(subject, admin.AdminEmail, true);
        app.Idp.Next = spoiled switch
        {
            "bad signature" => identity with { WrongKey = true },
            "wrong issuer" => identity with { IssuerOverride = "https://evil.example" },
            "wrong audience" => identity with { AudienceOverride = "someone-else" },
            "expired" => identity with { Expired = true },
            _ => identity with { NonceOverride = "not-the-nonce" },
        };
        using var failed = new CounterReading(app.Services, SecurityMetrics.MeterName, SecurityMetrics.SignInsName, ("outcome", "failed"), ("step", "external"));
        using var browser = app.Browser();

        using var done = await SignInWithProviderAsync(browser, ExternalSignInApp.Scheme);

        await ShouldBeRefusedAsync(done, browser);
        await using var db = app.Database(admin.OrganizationId);
        var audit = await db.AuditEntries.SingleAsync(a => a.Action == AuditAction.SignInFailed && a.Actor == admin.AdminEmail, Cancel);
        audit.Changes.ShouldNotBeNull().ShouldContain($"Test: answer refused ({reason})");
        (await db.AuditEntries.CountAsync(a => a.Action == AuditAction.SignedIn && a.Actor == admin.AdminEmail, Cancel)).ShouldBe(0);
        failed.Value.ShouldBe(1);
    }

    [Fact]
    public async Task A_tampered_state_opens_no_session_and_says_so()
    {
        using var admin = await NewOrganizationAsync();
        var subject = await LinkAsync(admin.AdminEmail, ExternalSignInApp.Scheme);
        app.Idp.Next = new FakeOidcProvider.Identity(subject, admin.AdminEmail, true);
        var redemptions = app.Idp.VerifiedPkceRedemptions;
        using var failed = new CounterReading(app.Services, SecurityMetrics.MeterName, SecurityMetrics.SignInsName, ("outcome", "failed"), ("step", "external"));
        using var browser = app.Browser();

        using var done = await SignInWithProviderAsync(browser, ExternalSignInApp.Scheme,
            tamper: back => StateParameter().Replace(back, m => "state=" + Flip(m.Groups[1].Value)));

        await ShouldBeRefusedAsync(done, browser);
        app.Idp.VerifiedPkceRedemptions.ShouldBe(redemptions, "the code is never redeemed for an answer that fails the state check");
        failed.Value.ShouldBe(1);
    }

    [Fact]
    public async Task A_verified_address_of_an_existing_user_is_linked_only_when_the_mailed_link_is_opened_and_only_once()
    {
        using var admin = await NewOrganizationAsync();
        using var other = await NewOrganizationAsync();
        var subject = "sub-" + Guid.NewGuid().ToString("N");
        app.Idp.Next = new FakeOidcProvider.Identity(subject, admin.AdminEmail.ToUpperInvariant(), true);
        using var browser = app.Browser();

        using var first = await SignInWithProviderAsync(browser, ExternalSignInApp.Scheme);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        WebForms.SessionCookie(first).ShouldBeNull();
        (await first.Content.ReadAsStringAsync(Cancel)).ShouldContain("Nothing is linked until then.");
        (await LoginOwnerAsync(subject)).ShouldBeNull("nothing is linked before the link is opened");
        var (mail, link) = await MailAsync(admin.AdminEmail);
        mail.Subject.ShouldBe($"Link your {ExternalSignInApp.DisplayName} sign-in to Shepherd");

        // The link names its user: pointed at another user it is refused.
        var otherId = (await UserAsync(other.AdminEmail)).Id.ToString(CultureInfo.InvariantCulture);
        var forOther = UserParameter().Replace(link, "user=" + otherId);
        using var refused = await PostLinkAsync(browser, forOther);
        WebForms.Error(await refused.Content.ReadAsStringAsync(Cancel)).ShouldBe(ExternalLinkConfirmModel.InvalidMessage);
        (await LoginOwnerAsync(subject)).ShouldBeNull();

        // Opening it shows what would be linked and changes nothing; the button links.
        var preview = await browser.GetStringAsync(link, Cancel);
        preview.ShouldContain("Link " + ExternalSignInApp.DisplayName);
        (await LoginOwnerAsync(subject)).ShouldBeNull("a GET (a mail scanner following the link) links nothing");
        using var linked = await PostLinkAsync(browser, link);
        (await linked.Content.ReadAsStringAsync(Cancel)).ShouldContain("is linked to your Shepherd account");
        (await LoginOwnerAsync(subject)).ShouldBe(admin.AdminEmail);
        await using (var db = app.Database(admin.OrganizationId))
        {
            (await db.AuditEntries.SingleAsync(a => a.Action == AuditAction.Updated && a.Actor == admin.AdminEmail && a.EntityType == "User", Cancel))
                .Changes.ShouldNotBeNull().ShouldContain("external sign-in with Test linked");
        }

        using var again = await PostLinkAsync(browser, link);
        WebForms.Error(await again.Content.ReadAsStringAsync(Cancel)).ShouldBe(ExternalLinkConfirmModel.InvalidMessage);

        using var signedIn = await SignInWithProviderAsync(browser, ExternalSignInApp.Scheme);
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        WebForms.SessionCookie(signedIn).ShouldNotBeNull();
    }

    public static TheoryData<string> Strangers => ["unverified address of a user", "no verified claim", "verified unknown address"];

    [Theory]
    [MemberData(nameof(Strangers))]
    public async Task An_unverified_or_unknown_address_links_nothing_creates_nothing_and_sends_nothing(string who)
    {
        using var admin = await NewOrganizationAsync();
        var subject = "sub-" + Guid.NewGuid().ToString("N");
        var unknown = $"stranger-{Guid.NewGuid():N}@example.org";
        app.Idp.Next = who switch
        {
            "unverified address of a user" => new FakeOidcProvider.Identity(subject, admin.AdminEmail, false),
            "no verified claim" => new FakeOidcProvider.Identity(subject, admin.AdminEmail),
            _ => new FakeOidcProvider.Identity(subject, unknown, true),
        };
        var users = await UserCountAsync();
        using var browser = app.Browser();

        using var done = await SignInWithProviderAsync(browser, ExternalSignInApp.Scheme);

        done.StatusCode.ShouldBe(HttpStatusCode.OK);
        WebForms.SessionCookie(done).ShouldBeNull();
        WebForms.Error(await done.Content.ReadAsStringAsync(Cancel)).ShouldBe(ExternalSignInModel.NotLinkedMessage);
        (await LoginOwnerAsync(subject)).ShouldBeNull();
        (await UserCountAsync()).ShouldBe(users);
        app.Smtp.To(admin.AdminEmail).ShouldBeEmpty();
        app.Smtp.To(unknown).ShouldBeEmpty();
    }

    [Fact]
    public async Task With_local_passwords_off_the_password_and_its_reset_are_refused_and_the_provider_still_signs_in()
    {
        using var admin = await NewOrganizationAsync();
        var subject = await LinkAsync(admin.AdminEmail, ExternalSignInApp.Scheme);

        using var off = await admin.PutAsync("/api/v1/organization/sign-in", new { localPasswordsDisabled = true });
        off.StatusCode.ShouldBe(HttpStatusCode.OK, await off.Content.ReadAsStringAsync(Cancel));
        using var browser = app.Browser();

        using var password = await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, Password);
        WebForms.SessionCookie(password).ShouldBeNull();
        WebForms.Error(await password.Content.ReadAsStringAsync(Cancel))
            .ShouldBe("Your organization signs in through Google or Test IdP, not with a password: use the button below.");
        using var reset = await WebForms.PostAsync(browser, AccountLinks.ForgotPath, new() { ["Email"] = admin.AdminEmail });
        (await reset.Content.ReadAsStringAsync(Cancel)).ShouldContain(WebUtility.HtmlEncode(ForgotPasswordModel.SentMessage));
        // Reset mail leaves in order, in the background: once a later request's mail has arrived, one for the admin would have.
        using (var control = await app.NewOrganizationAsync(cancellationToken: Cancel))
        {
            await WebForms.PostAsync(browser, AccountLinks.ForgotPath, new() { ["Email"] = control.AdminEmail });
            await app.Smtp.SingleAsync(control.AdminEmail);
        }
        app.Smtp.To(admin.AdminEmail).ShouldBeEmpty("no reset mail for a member whose organization has no passwords");

        app.Idp.Next = new FakeOidcProvider.Identity(subject, admin.AdminEmail, true);
        using var external = await SignInWithProviderAsync(browser, ExternalSignInApp.Scheme);
        external.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        WebForms.SessionCookie(external).ShouldNotBeNull();
        var account = await browser.GetStringAsync(AccountModel.Path, Cancel);
        account.ShouldNotContain("Change password");
        using var unlink = await browser.PostAsync(AccountModel.Path + "?handler=Unlink",
            WebForms.Form(account, new() { ["provider"] = ExternalSignInApp.Scheme }), Cancel);
        WebForms.Error(await unlink.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldContain("your only way to sign in");
        (await LoginOwnerAsync(subject)).ShouldBe(admin.AdminEmail);
        await using var db = app.Database(admin.OrganizationId);
        (await db.AuditEntries.CountAsync(a => a.Action == AuditAction.SettingsChanged, Cancel)).ShouldBe(1);
    }

    [Fact]
    public async Task Without_an_external_provider_local_passwords_cannot_be_turned_off()
    {
        using var admin = await plainApp.NewOrganizationAsync(cancellationToken: Cancel);

        using var response = await admin.PutAsync("/api/v1/organization/sign-in", new { localPasswordsDisabled = true });

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        problem["detail"]!.GetValue<string>().ShouldContain("No external sign-in provider is configured");
        await using var db = plainApp.Database(admin.OrganizationId);
        (await db.Organizations.SingleAsync(o => o.Id == admin.OrganizationId, Cancel)).LocalPasswordsDisabled.ShouldBeFalse();
    }

    [Fact]
    public async Task A_linked_google_user_signs_in_through_google()
    {
        using var admin = await NewOrganizationAsync();
        var subject = await LinkAsync(admin.AdminEmail, GoogleDefaults.AuthenticationScheme);
        app.Idp.Next = new FakeOidcProvider.Identity(subject, admin.AdminEmail, true);
        using var browser = app.Browser();

        using var done = await SignInWithProviderAsync(browser, GoogleDefaults.AuthenticationScheme);

        done.StatusCode.ShouldBe(HttpStatusCode.Redirect, await done.Content.ReadAsStringAsync(Cancel));
        done.Headers.Location!.ToString().ShouldBe(AccountModel.Path);
        WebForms.SessionCookie(done).ShouldNotBeNull();
        await using var db = app.Database(admin.OrganizationId);
        (await db.AuditEntries.SingleAsync(a => a.Action == AuditAction.SignedIn && a.Actor == admin.AdminEmail, Cancel))
            .Changes.ShouldNotBeNull().ShouldContain("signed in with Google");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_invitee_accepts_by_signing_in_with_the_provider_only_when_its_verified_address_is_the_invited_one(bool sameAddress)
    {
        using var admin = await NewOrganizationAsync();
        var invitee = $"invitee-{Guid.NewGuid():N}@example.org";
        using var created = await admin.PostAsync("/api/v1/invitations", new { email = invitee, role = "staff" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Cancel));
        var (_, link) = await MailAsync(invitee);
        var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri("http://localhost" + link).Query)["code"].ToString();
        var subject = "sub-" + Guid.NewGuid().ToString("N");
        app.Idp.Next = new FakeOidcProvider.Identity(subject, sameAddress ? invitee.ToUpperInvariant() : "someone-else@example.org", true);
        using var browser = app.Browser();
        (await browser.GetStringAsync(link, Cancel)).ShouldContain("Accept with " + ExternalSignInApp.DisplayName);

        using var done = await SignInWithProviderAsync(browser, ExternalSignInApp.Scheme, invitation: code);

        await using var db = app.Database(admin.OrganizationId);
        if (sameAddress)
        {
            done.StatusCode.ShouldBe(HttpStatusCode.Redirect, await done.Content.ReadAsStringAsync(Cancel));
            WebForms.SessionCookie(done).ShouldNotBeNull();
            (await LoginOwnerAsync(subject)).ShouldBe(invitee);
            (await db.Memberships.SingleAsync(m => m.User!.Email == invitee, Cancel)).Role.ShouldBe(OrganizationRole.Staff);
            (await UserAsync(invitee)).PasswordHash.ShouldBeNull("the account has no password, only the provider");
        }
        else
        {
            done.StatusCode.ShouldBe(HttpStatusCode.OK);
            WebForms.SessionCookie(done).ShouldBeNull();
            WebForms.Error(await done.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldContain($"This invitation is for {invitee}");
            (await LoginOwnerAsync(subject)).ShouldBeNull();
            (await db.Memberships.CountAsync(m => m.User!.Email == invitee, Cancel)).ShouldBe(0);
        }
    }

    [Theory]
    [InlineData("http://idp.example.org/realms/church", "Shepherd:Authentication:OpenIdConnect:Corp:Authority")]
    [InlineData(null, "Shepherd:Authentication:OpenIdConnect:Corp:ClientId")]
    public void Bad_provider_settings_stop_the_start_with_a_message_naming_the_setting(string? authority, string setting)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Shepherd:Authentication:OpenIdConnect:Corp:Authority"] = authority ?? "https://idp.example.org/realms/church",
            ["Shepherd:Authentication:OpenIdConnect:Corp:ClientId"] = authority is null ? null : "shepherd",
        }).Build();

        Should.Throw<InvalidOperationException>(() => ExternalSignIn.Read(configuration)).Message.ShouldContain(setting);
    }

    /// <summary>
    /// The browser's round trip: the button's POST, the provider's authorize endpoint (real HTTP), the handler's
    /// callback (which redeems the code over real HTTP), then Shepherd's callback page; returns that page's answer.
    /// </summary>
    private async Task<HttpResponseMessage> SignInWithProviderAsync(
        HttpClient browser, string scheme, string? returnUrl = null, Func<string, string>? tamper = null, string? invitation = null)
    {
        var page = await browser.GetStringAsync(WebSession.SignInPath, Cancel);
        var fields = new Dictionary<string, string> { ["Provider"] = scheme };
        if (invitation is not null)
        {
            fields["Invitation"] = invitation;
        }
        if (returnUrl is not null)
        {
            fields["ReturnUrl"] = returnUrl;
        }
        using var start = await browser.PostAsync(ExternalSignInModel.Path + "?handler=Start", WebForms.Form(page, fields), Cancel);
        start.StatusCode.ShouldBe(HttpStatusCode.Redirect, await start.Content.ReadAsStringAsync(Cancel));
        var authorize = start.Headers.Location!;
        authorize.ToString().ShouldStartWith(app.Idp.Issuer + "/authorize?");
        authorize.Query.ShouldContain("code_challenge_method=S256");

        using var idp = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var answer = await idp.GetAsync(authorize, Cancel);
        answer.StatusCode.ShouldBe(HttpStatusCode.Redirect, await answer.Content.ReadAsStringAsync(Cancel));
        var back = new Uri(answer.Headers.Location!.ToString()).PathAndQuery;
        back = tamper?.Invoke(back) ?? back;

        using var callback = await browser.GetAsync(back, Cancel);
        callback.StatusCode.ShouldBe(HttpStatusCode.Redirect, await callback.Content.ReadAsStringAsync(Cancel));
        var next = callback.Headers.Location!.ToString();
        next.ShouldStartWith(ExternalSignInModel.Path);
        return await browser.GetAsync(next, Cancel);
    }

    private static async Task ShouldBeRefusedAsync(HttpResponseMessage done, HttpClient browser)
    {
        done.StatusCode.ShouldBe(HttpStatusCode.OK);
        WebForms.SessionCookie(done).ShouldBeNull();
        var html = await done.Content.ReadAsStringAsync(Cancel);
        WebForms.Error(html).ShouldBe($"Signing in with {ExternalSignInApp.DisplayName} did not work, and you are not signed in. Try again; if it keeps failing, ask your administrator.");
        html.ShouldNotContain("Exception");
        html.ShouldNotContain("IDX");
        using var people = await browser.GetAsync("/api/v1/people", Cancel);
        people.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private async Task<HttpResponseMessage> PostLinkAsync(HttpClient browser, string link)
    {
        // The antiforgery token of this browser (a refused link shows no form).
        var page = await browser.GetStringAsync(WebSession.SignInPath, Cancel);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri("http://localhost" + link).Query);
        return await browser.PostAsync(ExternalLinkToken.Path, WebForms.Form(page, new()
        {
            ["user"] = query["user"].ToString(),
            ["token"] = query["token"].ToString(),
        }), Cancel);
    }

    private Task<(MimeKit.MimeMessage Message, string Link)> MailAsync(string to) => app.Smtp.SingleAsync(to);

    /// <summary>An organization of its own, not requiring two-factor sign-in of administrators (tested on its own below).</summary>
    private async Task<ApiClient> NewOrganizationAsync()
    {
        var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        await using var db = app.Database(admin.OrganizationId);
        await db.Organizations.Where(o => o.Id == admin.OrganizationId)
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.TwoFactorRequiredRoles, ""), Cancel);
        return admin;
    }

    /// <summary>Links a new provider subject to the user directly (the arrangement; linking itself is tested above).</summary>
    private async Task<string> LinkAsync(string email, string scheme)
    {
        var subject = "sub-" + Guid.NewGuid().ToString("N");
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ShepherdUser>>();
        var user = await users.FindByEmailAsync(email);
        (await users.AddLoginAsync(user!, new UserLoginInfo(scheme, subject, scheme))).Succeeded.ShouldBeTrue();
        return subject;
    }

    private async Task<string> TurnOnTwoFactorAsync(string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ShepherdUser>>();
        var user = (await users.FindByEmailAsync(email))!;
        await users.ResetAuthenticatorKeyAsync(user);
        var key = (await users.GetAuthenticatorKeyAsync(user))!;
        await users.SetTwoFactorEnabledAsync(user, true);
        return key;
    }

    private async Task<ShepherdUser> UserAsync(string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<ShepherdUser>>().FindByEmailAsync(email))!;
    }

    private async Task<string?> LoginOwnerAsync(string subject)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<ShepherdUser>>().FindByLoginAsync(ExternalSignInApp.Scheme, subject))?.Email;
    }

    private async Task<int> UserCountAsync()
    {
        await using var db = app.Services.GetRequiredService<ShepherdDbContextFactory>().Create(null, AuditActor.System);
        return await db.Users.CountAsync(Cancel);
    }

    /// <summary>One character in the middle of the protected state changed (the end may only carry padding bits).</summary>
    private static string Flip(string state) => state[..20] + (state[20] == 'A' ? 'B' : 'A') + state[21..];

    [GeneratedRegex("state=([^&]+)")]
    private static partial Regex StateParameter();

    [GeneratedRegex("user=[0-9]+")]
    private static partial Regex UserParameter();
}
