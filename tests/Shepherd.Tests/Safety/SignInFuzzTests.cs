using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Accounts;
using Shepherd.Platform.Web;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Web;
using Shouldly;

namespace Shepherd.Tests.Safety;

/// <summary>
/// The app with limits wide open, so the rate limiter and the lockout do not hide what the pages do with hostile input
/// (both have tests of their own in Security/ and Web/).
/// </summary>
public class FuzzWebApp : SqliteApp
{
    public FuzzWebApp()
    {
        Settings["Shepherd:Security:RateLimits:SignIn:PermitLimit"] = "100000";
        Settings["Shepherd:Security:RateLimits:PasswordReset:PermitLimit"] = "100000";
        Settings["Shepherd:Security:RateLimits:Api:PermitLimit"] = "100000";
        Settings["Shepherd:Accounts:LockoutAttempts"] = "100000";
    }

    /// <summary>A browser: keeps cookies, does not follow redirects.</summary>
    public HttpClient Browser() => CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
}

/// <summary>A second app that is never set up, so /setup stays open to the fuzzer.</summary>
public sealed class FuzzSetupApp : FuzzWebApp;

/// <summary>Hostile text and the checks every fuzzed page answer must pass.</summary>
internal static class Hostile
{
    private static readonly string[] Samples =
    [
        "", " ", "\u0000", "a\u0000b", "\uD800", "\uDFFF", "\u202Eevil", "\r\n", "\t", "%00", "%0d%0aSet-Cookie: x=1",
        "<script>alert(1)</script>", "\"><script>alert(document.cookie)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
        "'; DROP TABLE users;--", "' OR '1'='1", "admin@example.org' --", "\" OR \"\"=\"", "1; SELECT pg_sleep(10)--",
        "../../../../etc/passwd", "${jndi:ldap://127.0.0.1/x}", "{{7*7}}", "@{1+1}", "admin@example.org\r\nBcc: x@example.org",
        "адрес@пример.рф", "🙏🏽🙏🏽🙏🏽", "ÿþ", "shp_", "shp_" + new string('A', 60), "000000", "123456", "12345678901234567890",
        "-1", "0", "9223372036854775808", "null", "undefined", "true", "[]", "{}", "@", "a@b", "@@@@",
    ];

    /// <summary>Samples, random strings, and long or huge ones (up to 50,000 characters).</summary>
    public static readonly Gen<string> Text = Gen.Frequency(
        (4, Gen.Int[0, Samples.Length - 1].Select(i => Samples[i])),
        (3, Gen.String),
        (1, Gen.Char.Array[100, 2000].Select(c => new string(c))),
        (1, Gen.Char.AlphaNumeric.Array[5000, 50000].Select(c => new string(c))),
        (1, Gen.Select(Gen.Int[0, Samples.Length - 1], Gen.String).Select((i, s) => Samples[i] + s + "<script>x</script>")));

    /// <summary>
    /// Never a 500; no session cookie from a failed attempt; no input that carries markup appears unencoded in the page.
    /// </summary>
    public static async Task CheckAsync(HttpResponseMessage response, string what, params string?[] inputs)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        ((int)response.StatusCode).ShouldBeLessThan(500, $"{what}: {Short(body)}");
        WebForms.SessionCookie(response).ShouldBeNull($"{what} set a session cookie");
        foreach (var input in inputs)
        {
            if (input is { Length: >= 8 } && input.Contains('<', StringComparison.Ordinal))
            {
                body.ShouldNotContain(input, Case.Sensitive, $"{what} echoed its input unencoded");
            }
            if (input?.Contains("<script", StringComparison.OrdinalIgnoreCase) == true)
            {
                // The page's own scripts (files under wwwroot/js, loaded by src) are not input.
                System.Text.RegularExpressions.Regex.Replace(body, "<script src=\"/js/[a-z0-9-]+\\.js\"></script>", "")
                    .ShouldNotContain("<script", Case.Insensitive, $"{what}: markup from the input reached the page");
            }
        }
    }

    /// <summary>A form post with the antiforgery field of <paramref name="html"/> (tokens are per browser, not per page).</summary>
    public static FormUrlEncodedContent Form(string html, params (string Name, string? Value)[] fields) =>
        WebForms.Form(html, fields.Where(f => f.Value is not null).ToDictionary(f => f.Name, f => f.Value!));

    private static string Short(string text) => text.Length <= 400 ? text : text[..400] + "…";
}

/// <summary>Hostile input on the first-run setup form: never a 500, never a session, never an echo.</summary>
public sealed class SetupFuzzTests(FuzzSetupApp app) : IClassFixture<FuzzSetupApp>
{
    private const int Iterations = 50;

    [Fact]
    public async Task Random_setup_codes_organizations_emails_and_passwords_never_give_a_500_a_session_or_an_echo()
    {
        using var browser = app.Browser();
        var page = await browser.GetStringAsync("/setup", TestContext.Current.CancellationToken);
        page.ShouldContain("name=\"Code\"", customMessage: "a fresh app shows the setup form");
        var sent = 0;

        await Gen.Select(Hostile.Text, Hostile.Text, Hostile.Text, Hostile.Text).SampleAsync(async (code, organization, email, password) =>
        {
            using var response = await browser.PostAsync("/setup",
                Hostile.Form(page, ("Code", code), ("Organization", organization), ("Email", email), ("Password", password), ("ConfirmPassword", password)));
            sent++;
            await Hostile.CheckAsync(response, "POST /setup", code, organization, email, password);
        }, iter: Iterations, threads: 1);

        sent.ShouldBe(Iterations);
        await using var db = app.Services.GetRequiredService<Shepherd.Data.ShepherdDbContextFactory>().Create(null, Data.Audit.AuditActor.System);
        (await db.Organizations.CountAsync(TestContext.Current.CancellationToken)).ShouldBe(0, "no random code set the instance up");
    }
}

/// <summary>
/// Many random and hostile inputs (huge, Unicode, control characters, NUL, SQL and HTML injection, empty) at sign-in,
/// the second factor, password reset, invitations, the token API and the Authorization header.
/// </summary>
public sealed class SignInFuzzTests(FuzzWebApp app) : IClassFixture<FuzzWebApp>
{
    private const int Iterations = 50;
    private const string Password = "correct horse battery staple";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Random_sign_in_forms_never_give_a_500_a_session_or_an_echo()
    {
        using var browser = app.Browser();
        var page = await browser.GetStringAsync(WebSession.SignInPath, Cancel);
        var sent = 0;

        await Gen.Select(Hostile.Text, Hostile.Text, Hostile.Text, Gen.Int[0, 2]).SampleAsync(async (email, password, token, kind) =>
        {
            var form = kind switch
            {
                0 => Hostile.Form(page, ("Email", email), ("Password", password)),
                1 => Hostile.Form(page, ("Token", token)),
                _ => Hostile.Form(page, ("Email", email), ("Password", password), ("Token", token), ("ReturnUrl", token)),
            };
            using var response = await browser.PostAsync(WebSession.SignInPath, form, Cancel);
            sent++;
            await Hostile.CheckAsync(response, "POST /signin", email, password, token);
        }, iter: Iterations * 2, threads: 1);

        sent.ShouldBe(Iterations * 2);
    }

    [Fact]
    public async Task An_unknown_address_and_a_wrong_password_give_byte_identical_errors_for_any_password()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var browser = app.Browser();
        var page = await browser.GetStringAsync(WebSession.SignInPath, Cancel);
        var (sent, compared) = (0, 0);

        await Hostile.Text.Where(p => p != Password).SampleAsync(async password =>
        {
            var unknown = $"nobody-{Guid.NewGuid():N}@example.org";
            using var a = await browser.PostAsync(WebSession.SignInPath, Hostile.Form(page, ("Email", unknown), ("Password", password)), Cancel);
            using var b = await browser.PostAsync(WebSession.SignInPath, Hostile.Form(page, ("Email", admin.AdminEmail), ("Password", password)), Cancel);
            sent += 2;
            await Hostile.CheckAsync(a, "unknown address", password);
            await Hostile.CheckAsync(b, "wrong password", password);
            // Text no database holds (NUL, broken Unicode) is refused with 400 before any account is looked up: the same for both.
            b.StatusCode.ShouldBe(a.StatusCode);
            if (a.StatusCode == HttpStatusCode.OK)
            {
                var unknownError = WebForms.Error(await a.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull();
                var wrongError = WebForms.Error(await b.Content.ReadAsStringAsync(Cancel)) ?? "";
                Encoding.UTF8.GetBytes(wrongError).ShouldBe(Encoding.UTF8.GetBytes(unknownError), $"password of {password.Length} characters");
                compared++;
            }
        }, iter: Iterations, threads: 1);

        sent.ShouldBe(Iterations * 2);
        compared.ShouldBeGreaterThan(Iterations / 2);
    }

    [Fact]
    public async Task Random_second_factor_codes_never_give_a_500_or_a_session()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ShepherdUser>>();
            var user = (await users.FindByEmailAsync(admin.AdminEmail)).ShouldNotBeNull();
            await users.ResetAuthenticatorKeyAsync(user);
            await users.SetTwoFactorEnabledAsync(user, true);
        }
        using var browser = app.Browser();
        using (var first = await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, Password))
        {
            first.Headers.Location!.ToString().ShouldStartWith("/signin/two-factor");
            WebForms.SessionCookie(first).ShouldBeNull();
        }
        var page = await browser.GetStringAsync("/signin/two-factor", Cancel);
        page.ShouldContain("name=\"Code\"");
        var sent = 0;

        await Gen.Select(Hostile.Text, Hostile.Text).SampleAsync(async (code, returnUrl) =>
        {
            using var response = await browser.PostAsync("/signin/two-factor", Hostile.Form(page, ("Code", code), ("ReturnUrl", returnUrl)), Cancel);
            sent++;
            await Hostile.CheckAsync(response, "POST /signin/two-factor", code, returnUrl);
        }, iter: Iterations, threads: 1);

        sent.ShouldBe(Iterations);
    }

    [Fact]
    public async Task Random_forgot_reset_and_invitation_forms_never_give_a_500_a_session_or_an_echo()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var browser = app.Browser();
        var page = await browser.GetStringAsync(WebSession.SignInPath, Cancel);
        var sent = 0;

        await Gen.Select(Hostile.Text, Hostile.Text, Hostile.Text, Gen.Int[0, 3]).SampleAsync(async (a, b, c, form) =>
        {
            var (url, content) = form switch
            {
                0 => ("/account/forgot", Hostile.Form(page, ("Email", a))),
                1 => ("/account/reset", Hostile.Form(page, ("UserId", a), ("Token", b), ("NewPassword", c), ("ConfirmPassword", c))),
                2 => ("/invite?handler=Create", Hostile.Form(page, ("Code", a), ("DisplayName", b), ("Password", c), ("ConfirmPassword", c))),
                _ => ("/invite?handler=Join&code=" + Uri.EscapeDataString(RemoveBrokenSurrogates(a)), Hostile.Form(page, ("Code", a))),
            };
            using var response = await browser.PostAsync(url, content, Cancel);
            sent++;
            await Hostile.CheckAsync(response, "POST " + url.Split('?')[0], a, b, c);
        }, iter: Iterations * 3, threads: 1);

        sent.ShouldBe(Iterations * 3);
        await using var db = app.Database(admin.OrganizationId);
        (await db.Memberships.CountAsync(Cancel)).ShouldBe(1, "no random invitation code let anyone join");
    }

    private static readonly string[] ScopeWords = ["read", "write", "monitoring", "READ", "admin", "", "read write", "<script>x</script>"];

    private static readonly Gen<JsonNode?> AnyValue = Gen.Frequency(
        (4, Hostile.Text.Select(s => (JsonNode?)JsonValue.Create(s))),
        (2, Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i))),
        (1, Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l))),
        (1, Gen.Const(() => (JsonNode?)null)),
        (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        (2, Gen.Int[0, ScopeWords.Length - 1].Array[0, 4].Select(i => (JsonNode?)new JsonArray([.. i.Select(x => (JsonNode?)JsonValue.Create(ScopeWords[x]))]))));

    [Fact]
    public async Task Random_token_requests_never_give_a_500_and_a_refused_one_creates_no_token()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var sent = 0;

        await Gen.Select(AnyValue, AnyValue, AnyValue, Gen.Int[0, 4]).SampleAsync(async (name, scopes, days, shape) =>
        {
            var body = shape switch
            {
                0 => "{\"name\":" + Json(name) + ",\"scopes\":" + Json(scopes) + ",\"expiresInDays\":" + Json(days) + "}",
                1 => "{\"name\":" + Json(name) + ",\"scopes\":[\"read\"]}",
                2 => "{\"name\":\"fuzz\",\"scopes\":" + Json(scopes) + "}",
                3 => Json(name),
                _ => (name?.ToJsonString() ?? "") + "{\"name\":",
            };
            var before = await CountAsync(admin.OrganizationId);
            using var response = await admin.SendRawAsync(HttpMethod.Post, "/api/v1/tokens", body);
            sent++;
            var text = await response.Content.ReadAsStringAsync(Cancel);
            ((int)response.StatusCode).ShouldBeLessThan(500, $"{body}: {text}");
            if (!response.IsSuccessStatusCode)
            {
                response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", body);
                (await CountAsync(admin.OrganizationId)).ShouldBe(before, $"{body} was refused but created a token");
            }
        }, iter: Iterations * 3, threads: 1);

        sent.ShouldBe(Iterations * 3);
    }

    [Fact]
    public async Task Random_bearer_strings_get_401_never_a_500()
    {
        using var http = app.CreateClient();
        var sent = 0;

        await Gen.Select(Hostile.Text, Gen.Int[0, 2]).SampleAsync(async (text, shape) =>
        {
            // HTTP headers cannot carry CR, LF or NUL; everything else goes as it is.
            var value = new string([.. text.Where(c => c is not '\r' and not '\n' and not '\0')]);
            var header = shape switch { 0 => "Bearer " + value, 1 => "Bearer shp_" + value, _ => value };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/people");
            request.Headers.TryAddWithoutValidation("Authorization", header).ShouldBeTrue();
            using var response = await http.SendAsync(request, Cancel);
            sent++;
            var body = await response.Content.ReadAsStringAsync(Cancel);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{header.Length} characters: {body}");
        }, iter: Iterations * 3, threads: 1);

        sent.ShouldBe(Iterations * 3);
    }

    private static string Json(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null";

    private static string RemoveBrokenSurrogates(string text) => TextOk(text) ? text : "broken";

    private static bool TextOk(string text) => Shepherd.Platform.Api.TextSafety.IsStorable(text);

    private async Task<int> CountAsync(long organizationId)
    {
        await using var db = app.Database(organizationId);
        return await db.ApiTokens.CountAsync(Cancel);
    }
}
