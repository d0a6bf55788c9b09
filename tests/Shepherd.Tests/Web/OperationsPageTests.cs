using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Monitoring;
using Shouldly;

namespace Shepherd.Tests.Web;

/// <summary>The app with the test endpoints, re-checking a browser session's token on every request.</summary>
public sealed class WebSqliteApp : SqliteApp
{
    public WebSqliteApp()
    {
        Settings[$"{WebSessionOptions.Section}:{nameof(WebSessionOptions.SessionRevalidation)}"] = "00:00:00";
        // These tests sign in many times from one test client; the sign-in rate limit has tests of its own (Security/).
        Settings["Shepherd:Security:RateLimits:SignIn:PermitLimit"] = "1000";
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        TestEndpoints.AddTo(builder);
    }

    /// <summary>A browser: keeps cookies, does not follow redirects (the tests look at them).</summary>
    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
}

/// <summary>Sign-in with an API token, the session cookie, and the Operations page rendered from the monitoring services.</summary>
public sealed partial class OperationsPageTests(WebSqliteApp app) : IClassFixture<WebSqliteApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_a_session_the_page_redirects_to_sign_in_and_the_api_still_answers_401_problem_json()
    {
        using var browser = app.Browser();
        using var page = await browser.GetAsync("/operations", Cancel);
        page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        page.Headers.Location!.ToString().ShouldStartWith("http://localhost/signin?ReturnUrl=%2Foperations");

        foreach (var url in new[] { "/api/monitoring/metrics", "/api/v1/people", "/metrics" })
        {
            using var api = await browser.GetAsync(url, Cancel);
            api.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, url);
            api.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", url);
        }
    }

    [Fact]
    public async Task A_monitoring_token_signs_in_and_the_page_shows_windows_charts_and_a_forced_error_group()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var browser = app.Browser();
        using (var failed = await browser.GetAsync("/test/fail/parse", Cancel))
        {
            failed.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        }

        using var signedIn = await SignInAsync(browser, monitor.Token);
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signedIn.Headers.Location!.ToString().ShouldBe("/operations");
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(WebSession.CookieName + "=", StringComparison.Ordinal));
        cookie.ShouldContain("httponly", Case.Insensitive);
        cookie.ShouldContain("samesite=strict", Case.Insensitive);

        using var page = await browser.GetAsync("/operations", Cancel);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync(Cancel);
        html.ShouldContain("<meta http-equiv=\"refresh\" content=\"30\">");
        // Health: every check with its status.
        Table(html, "health").ShouldContain(">database<");
        Table(html, "health").ShouldContain(">Healthy<");
        // The four windows.
        var windows = Table(html, "windows");
        foreach (var minutes in new[] { 1, 5, 15, 60 })
        {
            windows.ShouldContain($"<th scope=\"row\">{minutes} min</th>");
        }
        // Charts: inline SVG with a text alternative, and the request bars hold this test's requests.
        foreach (var chart in new[] { "chart-requests", "chart-p95", "chart-errors", "chart-cpu", "chart-memory" })
        {
            html.ShouldContain($"aria-labelledby=\"{chart}-title {chart}-desc\"");
        }
        Svg(html, "chart-requests").ShouldContain("<rect class=\"bar\"");
        Svg(html, "chart-p95").ShouldContain("<path class=\"line\" d=\"M");
        // The forced failure's group: type, one of our frames? No: the test endpoint is not Shepherd's code, so the type and message.
        var errors = Table(html, "error-groups");
        errors.ShouldContain("System.FormatException");
        errors.ShouldContain("Not a number.");
        Table(html, "slowest-routes").ShouldContain("GET /test/fail/{kind}");
    }

    [Fact]
    public async Task The_session_also_reads_the_monitoring_api_but_never_writes_through_it()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var browser = app.Browser();
        (await SignInAsync(browser, monitor.Token)).Dispose();

        using var metrics = await browser.GetAsync("/api/monitoring/metrics", Cancel);
        metrics.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var write = await browser.PostAsync("/api/v1/campuses", new StringContent("{\"name\":\"x\"}", System.Text.Encoding.UTF8, "application/json"), Cancel);
        write.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_read_write_token_is_refused_with_a_reason_and_gets_no_session()
    {
        using var api = await app.NewOrganizationAsync([ApiScopes.Read, ApiScopes.Write], cancellationToken: Cancel);
        using var browser = app.Browser();
        using var refused = await SignInAsync(browser, api.Token);
        await ShouldBeRefusedAsync(refused, "it needs the monitoring scope");
        (await browser.GetAsync("/operations", Cancel)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Theory]
    [InlineData("", "Enter an API token.")]
    [InlineData("shp_notarealtokenatall0000000000000000000", "No such token.")]
    [InlineData("password123", "That is not a Shepherd API token")]
    [InlineData("LONG", "That is not a Shepherd API token")]
    public async Task A_wrong_or_malformed_token_gets_the_form_again_with_a_message_and_no_cookie(string token, string message)
    {
        using var browser = app.Browser();
        using var refused = await SignInAsync(browser, token == "LONG" ? "shp_" + new string('a', 10_000) : token);
        await ShouldBeRefusedAsync(refused, message);
    }

    [Fact]
    public async Task A_token_with_a_NUL_character_is_refused_before_the_page_with_400_not_500()
    {
        // ASP.NET Core's form reading fails on NUL, so antiforgery refuses the form: a 400 problem, never a 500.
        using var browser = app.Browser();
        using var refused = await SignInAsync(browser, "shp_abc\0def");
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        refused.Headers.TryGetValues("Set-Cookie", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task A_revoked_or_expired_token_is_named_as_such()
    {
        using var revoked = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var expired = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        await UpdateTokenAsync(revoked, t => t.SetProperty(x => x.RevokedAt, DateTimeOffset.UnixEpoch));
        await UpdateTokenAsync(expired, t => t.SetProperty(x => x.ExpiresAt, DateTimeOffset.UnixEpoch));
        using var browser = app.Browser();
        using (var response = await SignInAsync(browser, revoked.Token))
        {
            await ShouldBeRefusedAsync(response, "This token has been revoked.");
        }
        using (var response = await SignInAsync(browser, expired.Token))
        {
            await ShouldBeRefusedAsync(response, "This token has expired.");
        }
    }

    [Fact]
    public async Task A_sign_in_without_the_antiforgery_token_is_refused_with_400()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var browser = app.Browser();
        using var response = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["Token"] = monitor.Token }), Cancel);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Headers.TryGetValues("Set-Cookie", out var cookies).ShouldBeFalse(string.Join("; ", cookies ?? []));
    }

    [Fact]
    public async Task Revoking_the_token_signs_the_browser_out_at_the_next_check()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var browser = app.Browser();
        (await SignInAsync(browser, monitor.Token)).Dispose();
        (await browser.GetAsync("/operations", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await UpdateTokenAsync(monitor, t => t.SetProperty(x => x.RevokedAt, DateTimeOffset.UnixEpoch));

        using var after = await browser.GetAsync("/operations", Cancel);
        after.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        after.Headers.Location!.ToString().ShouldContain("/signin");
        after.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith(WebSession.CookieName + "=;", StringComparison.Ordinal));
        (await browser.GetAsync("/operations", Cancel)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task Signing_out_clears_the_cookie_and_needs_the_antiforgery_token()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var browser = app.Browser();
        (await SignInAsync(browser, monitor.Token)).Dispose();
        var page = await (await browser.GetAsync("/operations", Cancel)).Content.ReadAsStringAsync(Cancel);

        using (var forged = await browser.PostAsync("/signout", new FormUrlEncodedContent([]), Cancel))
        {
            forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }
        (await browser.GetAsync("/operations", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var signedOut = await browser.PostAsync("/signout", WebForms.Form(page, []), Cancel);
        signedOut.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signedOut.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith(WebSession.CookieName + "=;", StringComparison.Ordinal));
        (await browser.GetAsync("/operations", Cancel)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task The_stylesheet_is_served_without_a_session()
    {
        using var browser = app.Browser();
        using var css = await browser.GetAsync("/css/site.css", Cancel);
        css.StatusCode.ShouldBe(HttpStatusCode.OK);
        css.Content.Headers.ContentType?.MediaType.ShouldBe("text/css");
    }

    [Fact]
    public async Task A_return_url_to_another_site_is_ignored()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var browser = app.Browser();
        using var response = await SignInAsync(browser, monitor.Token, "https://evil.example/");
        response.Headers.Location!.ToString().ShouldBe("/operations");
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string token, string? returnUrl = null)
    {
        var form = await browser.GetStringAsync("/signin", Cancel);
        var fields = new Dictionary<string, string> { ["Token"] = token };
        if (returnUrl is not null)
        {
            fields["ReturnUrl"] = returnUrl;
        }
        return await browser.PostAsync("/signin", WebForms.Form(form, fields), Cancel);
    }

    private static async Task ShouldBeRefusedAsync(HttpResponseMessage response, string message)
    {
        var html = await response.Content.ReadAsStringAsync(Cancel);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        var cookies = response.Headers.TryGetValues("Set-Cookie", out var set) ? set : [];
        cookies.ShouldNotContain(c => c.StartsWith(WebSession.CookieName + "=", StringComparison.Ordinal));
        var error = ErrorMessage().Match(html);
        error.Success.ShouldBeTrue(html);
        WebUtility.HtmlDecode(error.Groups[1].Value).ShouldContain(message);
    }

    private async Task UpdateTokenAsync(ApiClient client, Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Data.Accounts.ApiToken>> change)
    {
        await using var db = app.Database(client.OrganizationId);
        (await db.ApiTokens.ExecuteUpdateAsync(change, Cancel)).ShouldBe(1);
    }

    private static string Table(string html, string id)
    {
        var start = html.IndexOf($"<table id=\"{id}\">", StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, $"table {id}");
        return html[start..html.IndexOf("</table>", start, StringComparison.Ordinal)];
    }

    private static string Svg(string html, string id)
    {
        var start = html.IndexOf($"aria-labelledby=\"{id}-title", StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, $"chart {id}");
        return html[start..html.IndexOf("</svg>", start, StringComparison.Ordinal)];
    }

    [GeneratedRegex("<p class=\"error\" role=\"alert\" id=\"token-error\">([^<]*)</p>")]
    private static partial Regex ErrorMessage();
}
