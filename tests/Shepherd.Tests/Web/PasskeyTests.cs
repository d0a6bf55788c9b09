using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Security;
using Shepherd.Platform.Web;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Web;

/// <summary>
/// Passkeys with a software authenticator acting as the browser: registration on the account page, passwordless sign-in,
/// the passkey as the second step, and every way an assertion can be wrong. Identity's passkey handler does the checks;
/// these tests prove Shepherd wires them up (state, origin, counter, lockout, audit) and answers clearly.
/// </summary>
public sealed class PasskeyTests(WebSqliteApp app) : IClassFixture<WebSqliteApp>
{
    private const string Password = "correct horse battery staple";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Registration_then_passwordless_sign_in_opens_a_working_session_audited_and_counted()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var (member, _) = await SignedInMemberAsync(admin.OrganizationId);
        using var authenticator = new SoftwareAuthenticator();
        using (var browser = await PasswordSessionAsync(member.AdminEmail))
        {
            using var added = await PasskeyFlow.RegisterAsync(browser, authenticator, "Laptop");
            var page = WebUtility.HtmlDecode(await added.Content.ReadAsStringAsync(Cancel));
            added.StatusCode.ShouldBe(HttpStatusCode.OK, page);
            WebForms.Error(page).ShouldBeNull();
            page.ShouldContain("Passkey “Laptop” added");
            page.ShouldContain(authenticator.Id);
        }

        using var succeeded = new CounterReading(app.Services, SecurityMetrics.MeterName, SecurityMetrics.SignInsName, ("outcome", "succeeded"), ("step", "passkey"));
        using var signIn = app.Browser();
        using var signedIn = await PasskeyFlow.SignInAsync(signIn, o => authenticator.Get(o, PasskeyFlow.Origin));
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, await signedIn.Content.ReadAsStringAsync(Cancel));
        signedIn.Headers.Location!.ToString().ShouldBe(AccountModel.Path);
        WebForms.SessionCookie(signedIn).ShouldNotBeNull();
        using var account = await signIn.GetAsync(AccountModel.Path, Cancel);
        account.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await account.Content.ReadAsStringAsync(Cancel)).ShouldContain(member.AdminEmail);
        (await signIn.GetAsync("/api/v1/people", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);
        succeeded.Value.ShouldBe(1);

        // A second sign-in with the same authenticator works too (its counter went up).
        using var again = app.Browser();
        (await PasskeyFlow.SignInAsync(again, o => authenticator.Get(o, PasskeyFlow.Origin))).Headers.Location!.ToString().ShouldBe(AccountModel.Path);

        // The password alone no longer opens a session: the passkey is a second factor.
        using var passwordOnly = app.Browser();
        using var password = await WebForms.SignInWithPasswordAsync(passwordOnly, member.AdminEmail, Password);
        password.Headers.Location!.ToString().ShouldBe(TwoFactorSignInModel.Path);

        await using var db = app.Database(admin.OrganizationId);
        var audit = await db.AuditEntries.Where(a => a.Actor == member.AdminEmail).ToListAsync(Cancel);
        audit.Count(a => a.Action == AuditAction.SignedIn).ShouldBe(3, "the password sign-in and two passkey sign-ins");
        var added2 = audit.Where(a => a.Action == AuditAction.TwoFactorChanged).ShouldHaveSingleItem();
        added2.EntityType.ShouldBe(Passkeys.EntityType);
        added2.Changes.ShouldNotBeNull().ShouldContain("added");
        added2.Changes.ShouldContain("Laptop");
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ShepherdUser>>();
        var stored = (await users.GetPasskeysAsync((await users.FindByEmailAsync(member.AdminEmail))!)).ShouldHaveSingleItem();
        stored.SignCount.ShouldBe(3u, "registration and two assertions");
        stored.Name.ShouldBe("Laptop");
    }

    [Fact]
    public async Task A_passkey_serves_as_the_second_step_and_satisfies_a_role_that_requires_two_factor()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var authenticator = new SoftwareAuthenticator();
        using (var browser = app.Browser())
        {
            using var first = await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, Password);
            first.Headers.Location!.ToString().ShouldBe(TwoFactorModel.Path, "administrators must set up two-factor sign-in");
            (await browser.GetAsync("/api/v1/people", Cancel)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            using var added = await PasskeyFlow.RegisterAsync(browser, authenticator, "Phone");
            added.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await browser.GetAsync("/api/v1/people", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK, "a passkey, without an authenticator app, meets the requirement");
        }

        using var second = app.Browser();
        using var password = await WebForms.SignInWithPasswordAsync(second, admin.AdminEmail, Password);
        password.Headers.Location!.ToString().ShouldBe(TwoFactorSignInModel.Path);
        WebForms.SessionCookie(password).ShouldBeNull();
        var stepPage = await second.GetStringAsync(TwoFactorSignInModel.Path, Cancel);
        stepPage.ShouldContain("id=\"passkey-second-factor\"");
        stepPage.ShouldNotContain("id=\"code\"", customMessage: "no authenticator app is set up, so no code is asked for");

        using var signedIn = await PasskeyFlow.SignInAsync(second, o => authenticator.Get(o, PasskeyFlow.Origin), TwoFactorSignInModel.Path,
            PasskeySignInModel.OptionsPath + "&step=" + PasskeySignInModel.SecondFactorStep);
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, await signedIn.Content.ReadAsStringAsync(Cancel));
        signedIn.Headers.Location!.ToString().ShouldBe(AccountModel.Path);
        (await second.GetAsync("/api/v1/people", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await second.GetAsync(TwoFactorSignInModel.Path, Cancel)).Headers.Location!.ToString().ShouldBe(WebSession.SignInPath, "the pending step is over");

        // Another user's passkey cannot finish this user's second step.
        var (other, _) = await SignedInMemberAsync(admin.OrganizationId);
        using var otherKey = new SoftwareAuthenticator();
        using (var otherBrowser = await PasswordSessionAsync(other.AdminEmail))
        {
            (await PasskeyFlow.RegisterAsync(otherBrowser, otherKey, "Other")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        using var third = app.Browser();
        await WebForms.SignInWithPasswordAsync(third, admin.AdminEmail, Password);
        using var wrongUser = await PasskeyFlow.SignInAsync(third, o => otherKey.Get(o, PasskeyFlow.Origin), TwoFactorSignInModel.Path,
            PasskeySignInModel.OptionsPath + "&step=" + PasskeySignInModel.SecondFactorStep);
        WebForms.SessionCookie(wrongUser).ShouldBeNull();
        WebForms.Error(await wrongUser.Content.ReadAsStringAsync(Cancel)).ShouldBe(PasskeySignInModel.Rejected);
    }

    public static TheoryData<string> WrongAssertions => ["wrong origin", "wrong rp id hash", "another ceremony's challenge", "tampered signature",
        "unknown credential", "removed passkey", "user not verified"];

    [Theory]
    [MemberData(nameof(WrongAssertions))]
    public async Task A_wrong_assertion_opens_no_session_and_says_so(string wrong)
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var (member, _) = await SignedInMemberAsync(admin.OrganizationId);
        using var authenticator = new SoftwareAuthenticator();
        using (var browser = await PasswordSessionAsync(member.AdminEmail))
        {
            (await PasskeyFlow.RegisterAsync(browser, authenticator, "Key")).StatusCode.ShouldBe(HttpStatusCode.OK);
            if (wrong == "removed passkey")
            {
                var page = await browser.GetStringAsync(PasskeysModel.Path, Cancel);
                using var removed = await browser.PostAsync(PasskeysModel.Path + "?handler=Remove", WebForms.Form(page, new() { ["Id"] = authenticator.Id }), Cancel);
                removed.StatusCode.ShouldBe(HttpStatusCode.OK);
                (await removed.Content.ReadAsStringAsync(Cancel)).ShouldContain("Passkey removed.");
            }
        }
        using var stranger = new SoftwareAuthenticator();
        using var failed = new CounterReading(app.Services, SecurityMetrics.MeterName, SecurityMetrics.SignInsName, ("outcome", "failed"), ("step", "passkey"));
        using var signIn = app.Browser();
        using var answer = wrong == "another ceremony's challenge"
            ? await AnswerEarlierChallengeAsync(signIn, authenticator)
            : await PasskeyFlow.SignInAsync(signIn, o => wrong switch
            {
                "wrong origin" => authenticator.Get(o, "https://shepherd.example.net"),
                "wrong rp id hash" => authenticator.Get(o, PasskeyFlow.Origin, rpIdOverride: "shepherd.example.net"),
                "tampered signature" => authenticator.Get(o, PasskeyFlow.Origin, tamperSignature: true),
                "unknown credential" => stranger.Get(o, PasskeyFlow.Origin),
                "user not verified" => authenticator.Get(o, PasskeyFlow.Origin, userVerified: false),
                _ => authenticator.Get(o, PasskeyFlow.Origin),
            });

        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        WebForms.SessionCookie(answer).ShouldBeNull();
        WebForms.Error(await answer.Content.ReadAsStringAsync(Cancel)).ShouldBe(PasskeySignInModel.Rejected);
        (await signIn.GetAsync(AccountModel.Path, Cancel)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        failed.Value.ShouldBe(1);
        if (wrong is not ("unknown credential" or "removed passkey"))
        {
            await using var db = app.Database(admin.OrganizationId);
            var entry = await db.AuditEntries.SingleAsync(a => a.Actor == member.AdminEmail && a.Action == AuditAction.SignInFailed, Cancel);
            entry.Changes.ShouldNotBeNull().ShouldContain("passkey rejected");
        }
    }

    [Fact]
    public async Task A_replayed_assertion_is_refused_even_with_the_old_ceremony_cookie()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var (member, _) = await SignedInMemberAsync(admin.OrganizationId);
        using var authenticator = new SoftwareAuthenticator();
        using (var browser = await PasswordSessionAsync(member.AdminEmail))
        {
            (await PasskeyFlow.RegisterAsync(browser, authenticator, "Key")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var signIn = app.Browser();
        var html = await signIn.GetStringAsync(WebSession.SignInPath, Cancel);
        using var options = await signIn.PostAsync(PasskeySignInModel.OptionsPath, WebForms.Form(html, []), Cancel);
        var ceremonyCookie = options.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("shepherd.passkey=", StringComparison.Ordinal)).Split(';')[0];
        var credential = authenticator.Get(await options.Content.ReadAsStringAsync(Cancel), PasskeyFlow.Origin);
        using var first = await PasskeyFlow.PostCredentialAsync(signIn, html, credential);
        first.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        // The same browser again (with a fresh antiforgery token: it is signed in now): the ceremony's cookie is gone.
        using var sameBrowser = await PasskeyFlow.PostCredentialAsync(signIn, await signIn.GetStringAsync(WebSession.SignInPath, Cancel), credential);
        sameBrowser.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        WebForms.Error(await sameBrowser.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldStartWith("This passkey sign-in expired or was already used.");

        // An attacker who copied both the assertion and the ceremony cookie.
        using var attacker = app.Browser();
        var attackerPage = await attacker.GetStringAsync(WebSession.SignInPath, Cancel);
        using var replay = new HttpRequestMessage(HttpMethod.Post, PasskeySignInModel.Path)
        {
            Content = WebForms.Form(attackerPage, new() { ["CredentialJson"] = credential }),
        };
        replay.Headers.Add("Cookie", ceremonyCookie);
        using var replayed = await attacker.SendAsync(replay, Cancel);
        WebForms.SessionCookie(replayed).ShouldBeNull();
        replayed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        WebForms.Error(await replayed.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldStartWith("This passkey sign-in expired or was already used.",
            customMessage: "the server remembers the ceremonies it finished");
    }

    [Fact]
    public async Task Failed_passkey_assertions_lock_the_account_like_wrong_passwords()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var (member, _) = await SignedInMemberAsync(admin.OrganizationId);
        using var authenticator = new SoftwareAuthenticator();
        using (var browser = await PasswordSessionAsync(member.AdminEmail))
        {
            (await PasskeyFlow.RegisterAsync(browser, authenticator, "Key")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        using var lockedOut = new CounterReading(app.Services, SecurityMetrics.MeterName, SecurityMetrics.SignInsName, ("outcome", "locked_out"), ("step", "passkey"));
        using var signIn = app.Browser();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            using var bad = await PasskeyFlow.SignInAsync(signIn, o => authenticator.Get(o, PasskeyFlow.Origin, tamperSignature: true));
            var error = WebForms.Error(await bad.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull();
            if (attempt < 5)
            {
                error.ShouldBe(PasskeySignInModel.Rejected);
            }
            else
            {
                error.ShouldStartWith("Too many failed attempts");
            }
        }
        using var good = await PasskeyFlow.SignInAsync(signIn, o => authenticator.Get(o, PasskeyFlow.Origin));
        WebForms.SessionCookie(good).ShouldBeNull("a locked-out user cannot sign in with a passkey either");
        WebForms.Error(await good.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldStartWith("Too many failed attempts");
        lockedOut.Value.ShouldBe(2);
        await using var db = app.Database(admin.OrganizationId);
        (await db.AuditEntries.CountAsync(a => a.Actor == member.AdminEmail && a.Action == AuditAction.LockedOut, Cancel)).ShouldBe(1);
    }

    [Fact]
    public async Task One_user_cannot_see_rename_or_remove_another_users_passkey()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var (owner, _) = await SignedInMemberAsync(admin.OrganizationId);
        var (intruder, _) = await SignedInMemberAsync(admin.OrganizationId);
        using var authenticator = new SoftwareAuthenticator();
        using (var browser = await PasswordSessionAsync(owner.AdminEmail))
        {
            (await PasskeyFlow.RegisterAsync(browser, authenticator, "Owner's key")).StatusCode.ShouldBe(HttpStatusCode.OK);
            var page = await browser.GetStringAsync(PasskeysModel.Path, Cancel);
            using var renamed = await browser.PostAsync(PasskeysModel.Path + "?handler=Rename",
                WebForms.Form(page, new() { ["Id"] = authenticator.Id, ["Name"] = "Work laptop" }), Cancel);
            WebUtility.HtmlDecode(await renamed.Content.ReadAsStringAsync(Cancel)).ShouldContain("Passkey renamed to “Work laptop”.");
        }

        using var other = await PasswordSessionAsync(intruder.AdminEmail);
        var theirs = await other.GetStringAsync(PasskeysModel.Path, Cancel);
        theirs.ShouldNotContain(authenticator.Id);
        theirs.ShouldNotContain("Work laptop");
        theirs.ShouldContain("id=\"passkey-add\"");
        theirs.ShouldContain("id=\"passkey-name\"");
        using var rename = await other.PostAsync(PasskeysModel.Path + "?handler=Rename",
            WebForms.Form(theirs, new() { ["Id"] = authenticator.Id, ["Name"] = "Mine now" }), Cancel);
        rename.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var remove = await other.PostAsync(PasskeysModel.Path + "?handler=Remove", WebForms.Form(theirs, new() { ["Id"] = authenticator.Id }), Cancel);
        remove.StatusCode.ShouldBe(HttpStatusCode.NotFound);

        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ShepherdUser>>();
        (await users.GetPasskeysAsync((await users.FindByEmailAsync(owner.AdminEmail))!)).ShouldHaveSingleItem().Name.ShouldBe("Work laptop");
    }

    [Fact]
    public async Task Bad_input_answers_400_with_a_clear_message()
    {
        using var anonymous = app.Browser();
        var signInPage = await anonymous.GetStringAsync(WebSession.SignInPath, Cancel);
        signInPage.ShouldContain("id=\"passkey-signin\"");
        signInPage.ShouldContain("src=\"/js/passkeys.js\"");
        using var script = await anonymous.GetAsync("/js/passkeys.js", Cancel);
        script.StatusCode.ShouldBe(HttpStatusCode.OK);
        script.Content.Headers.ContentType!.MediaType.ShouldBe("text/javascript");
        (await script.Content.ReadAsStringAsync(Cancel)).ShouldContain("parseRequestOptionsFromJSON");
        var cases = new (string Json, string Message)[]
        {
            ("", "No passkey was sent."),
            ("{not json", "The passkey response is not valid JSON."),
            ("[1,2]", "The passkey response is incomplete"),
            ("{\"id\":\"AAAA\",\"type\":\"public-key\"}", "The passkey response is incomplete"),
            ("{\"id\":\"***\",\"response\":{}}", "The passkey response is incomplete"),
            ("{\"id\":\"" + new string('A', 20_000) + "\"}", "The passkey response is too large."),
            ("{\"id\":\"AAAA\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"e30\",\"authenticatorData\":\"AA\",\"signature\":\"AA\"}}",
                "This passkey sign-in expired or was already used."),
        };
        foreach (var (json, message) in cases)
        {
            using var answer = await PasskeyFlow.PostCredentialAsync(anonymous, signInPage, json);
            answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest, json.Length > 100 ? json[..100] : json);
            WebForms.Error(await answer.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldStartWith(message);
            WebForms.SessionCookie(answer).ShouldBeNull();
        }
        // Well-formed JSON of the wrong types, with a ceremony under way: Identity's handler refuses it, no 500.
        using var garbled = await PasskeyFlow.SignInAsync(anonymous,
            _ => "{\"id\":\"AAAA\",\"type\":\"public-key\",\"clientExtensionResults\":{},\"response\":{\"clientDataJSON\":\"e30\",\"authenticatorData\":\"AA\",\"signature\":\"AA\",\"userHandle\":\"MQ\"}}");
        garbled.StatusCode.ShouldBe(HttpStatusCode.OK);
        WebForms.Error(await garbled.Content.ReadAsStringAsync(Cancel)).ShouldBe(PasskeySignInModel.Rejected);

        using var noToken = await anonymous.PostAsync(PasskeySignInModel.Path, new FormUrlEncodedContent(new Dictionary<string, string> { ["CredentialJson"] = "{}" }), Cancel);
        noToken.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "antiforgery");
        using var noPending = await anonymous.PostAsync(PasskeySignInModel.OptionsPath + "&step=" + PasskeySignInModel.SecondFactorStep, WebForms.Form(signInPage, []), Cancel);
        noPending.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var (member, _) = await SignedInMemberAsync(admin.OrganizationId);
        using var browser = await PasswordSessionAsync(member.AdminEmail);
        var page = await browser.GetStringAsync(PasskeysModel.Path, Cancel);
        var accountCases = new (string Handler, Dictionary<string, string> Fields, string Message)[]
        {
            ("Add", new() { ["Name"] = "", ["CredentialJson"] = "{}" }, "Give the passkey a name"),
            ("Add", new() { ["Name"] = new string('n', 101), ["CredentialJson"] = "{}" }, "Give the passkey a name"),
            ("Add", new() { ["Name"] = "Key", ["CredentialJson"] = "{oops" }, "The passkey response is not valid JSON."),
            ("Add", new() { ["Name"] = "Key", ["CredentialJson"] = "{\"id\":\"AAAA\",\"response\":{\"clientDataJSON\":\"e30\"}}" }, "The passkey response is incomplete"),
            ("Add", new() { ["Name"] = "Key", ["CredentialJson"] = "{\"id\":\"AAAA\",\"response\":{\"clientDataJSON\":\"e30\",\"attestationObject\":\"oA\"}}" },
                "Adding this passkey took too long or was already done."),
            ("Rename", new() { ["Id"] = "***", ["Name"] = "x" }, "Choose a passkey"),
            ("Rename", new() { ["Id"] = "AAAA", ["Name"] = "" }, "Choose a passkey"),
            ("Remove", new() { ["Id"] = "" }, "Choose a passkey to remove."),
        };
        foreach (var (handler, fields, message) in accountCases)
        {
            using var answer = await browser.PostAsync(PasskeysModel.Path + "?handler=" + handler, WebForms.Form(page, fields), Cancel);
            answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest, handler + " " + string.Join(",", fields.Values));
            WebForms.Error(await answer.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldStartWith(message);
        }
        // Options, then a browser answer that fails Identity's checks: a clear refusal, no passkey stored.
        var (options, html) = await PasskeyFlow.OptionsAsync(browser, PasskeysModel.Path, PasskeysModel.OptionsPath);
        using var authenticator = new SoftwareAuthenticator();
        using var wrongOrigin = await browser.PostAsync(PasskeysModel.Path + "?handler=Add",
            WebForms.Form(html, new() { ["Name"] = "Key", ["CredentialJson"] = authenticator.Create(options, "https://shepherd.example.net") }), Cancel);
        wrongOrigin.StatusCode.ShouldBe(HttpStatusCode.OK);
        WebForms.Error(await wrongOrigin.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldStartWith("The browser's passkey was not accepted");
        (await browser.GetStringAsync(PasskeysModel.Path, Cancel)).ShouldContain("id=\"passkeys-none\"");
    }

    /// <summary>Fetches options twice (the second ceremony replaces the first) and answers the first challenge.</summary>
    private static async Task<HttpResponseMessage> AnswerEarlierChallengeAsync(HttpClient browser, SoftwareAuthenticator authenticator)
    {
        var (earlier, _) = await PasskeyFlow.OptionsAsync(browser, WebSession.SignInPath, PasskeySignInModel.OptionsPath);
        var (_, html) = await PasskeyFlow.OptionsAsync(browser, WebSession.SignInPath, PasskeySignInModel.OptionsPath);
        return await PasskeyFlow.PostCredentialAsync(browser, html, authenticator.Get(earlier, PasskeyFlow.Origin));
    }

    /// <summary>A staff member (no two-factor requirement) of the organization.</summary>
    private async Task<(ApiClient Member, string Email)> SignedInMemberAsync(long organizationId)
    {
        var member = await app.NewMemberAsync(organizationId, OrganizationRole.Staff);
        return (member, member.AdminEmail);
    }

    private async Task<HttpClient> PasswordSessionAsync(string email)
    {
        var browser = app.Browser();
        using var signedIn = await WebForms.SignInWithPasswordAsync(browser, email, Password);
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        WebForms.SessionCookie(signedIn).ShouldNotBeNull("the password step alone signs in a user without passkeys");
        return browser;
    }
}

/// <summary>The passkey store on PostgreSQL: registration, passwordless sign-in, rename and removal through the pages.</summary>
public sealed class PasskeyPostgresTests(PostgresApp app)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Passkeys_round_trip_through_the_postgres_store()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var member = await app.NewMemberAsync(admin.OrganizationId, OrganizationRole.Staff);
        using var authenticator = new SoftwareAuthenticator();
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        (await WebForms.SignInWithPasswordAsync(browser, member.AdminEmail, "correct horse battery staple")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        using var added = await PasskeyFlow.RegisterAsync(browser, authenticator, "Tablet");
        WebForms.Error(await added.Content.ReadAsStringAsync(Cancel)).ShouldBeNull();

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ShepherdUser>>();
            var user = (await users.FindByPasskeyIdAsync(authenticator.CredentialId)).ShouldNotBeNull();
            user.Email.ShouldBe(member.AdminEmail);
            var stored = (await users.GetPasskeyAsync(user, authenticator.CredentialId)).ShouldNotBeNull();
            stored.Name.ShouldBe("Tablet");
            stored.PublicKey.Length.ShouldBeGreaterThan(64);
            stored.IsUserVerified.ShouldBeTrue();
        }

        using var signIn = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        using var signedIn = await PasskeyFlow.SignInAsync(signIn, o => authenticator.Get(o, PasskeyFlow.Origin));
        signedIn.Headers.Location!.ToString().ShouldBe(AccountModel.Path, await signedIn.Content.ReadAsStringAsync(Cancel));
        (await signIn.GetAsync(AccountModel.Path, Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var page = await signIn.GetStringAsync(PasskeysModel.Path, Cancel);
        using var removed = await signIn.PostAsync(PasskeysModel.Path + "?handler=Remove", WebForms.Form(page, new() { ["Id"] = authenticator.Id }), Cancel);
        (await removed.Content.ReadAsStringAsync(Cancel)).ShouldContain("Passkey removed.");
        await using var check = app.Services.CreateAsyncScope();
        (await check.ServiceProvider.GetRequiredService<UserManager<ShepherdUser>>().FindByPasskeyIdAsync(authenticator.CredentialId)).ShouldBeNull();
    }
}
