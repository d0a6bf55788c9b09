using System.Net;
using Shepherd.Platform.Accounts;
using Shouldly;

namespace Shepherd.Tests.Security;

/// <summary>Security headers on pages, API answers and errors; HSTS only over HTTPS as a trusted proxy reports it.</summary>
[Collection(SecurityCollection.Name)]
public sealed class SecurityHeadersTests(SecurityApp app)
{
    private const string PageCsp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        + "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_page_has_a_strict_content_security_policy_without_unsafe_inline_and_the_other_headers()
    {
        using var browser = app.From("198.51.100.10");
        using var page = await browser.GetAsync("/signin", Cancel);

        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(page, "Content-Security-Policy").ShouldBe(PageCsp);
        Header(page, "Content-Security-Policy").ShouldNotContain("unsafe-inline");
        Header(page, "Referrer-Policy").ShouldBe("strict-origin-when-cross-origin");
        ShouldHaveCommonHeaders(page);
        var html = await page.Content.ReadAsStringAsync(Cancel);
        // Scripts only as files of our own (the passkey ceremony), never inline.
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]*>[^<]*</script>").Select(m => m.Value).ToList();
        scripts.ShouldAllBe(tag => System.Text.RegularExpressions.Regex.IsMatch(tag, "^<script src=\"/js/[a-z-]+\\.js\"></script>$"));
        System.Text.RegularExpressions.Regex.Count(html, "<script").ShouldBe(scripts.Count);
        html.ShouldNotContain("<style");
        html.ShouldNotContain(" style=");
    }

    [Fact]
    public async Task Api_answers_and_errors_have_a_csp_that_allows_nothing()
    {
        using var api = await app.NewOrganizationAsync([ApiScopes.Read], cancellationToken: Cancel);
        using var anonymous = app.From("198.51.100.11");
        using var ok = await api.Http.GetAsync("/api/v1/campuses", Cancel);
        using var unauthorized = await anonymous.GetAsync("/api/v1/people", Cancel);
        using var notFound = await api.Http.GetAsync("/api/v1/people/999999999", Cancel);
        using var health = await anonymous.GetAsync("/healthz/live", Cancel);

        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        unauthorized.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        notFound.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        foreach (var response in new[] { ok, unauthorized, notFound, health })
        {
            var url = response.RequestMessage!.RequestUri!.ToString();
            Header(response, "Content-Security-Policy").ShouldBe("default-src 'none'; frame-ancestors 'none'", url);
            Header(response, "Referrer-Policy").ShouldBe("no-referrer", url);
            ShouldHaveCommonHeaders(response);
        }
    }

    [Fact]
    public async Task A_refused_form_post_and_a_redirect_to_sign_in_carry_the_page_headers()
    {
        using var browser = app.From("198.51.100.12");
        using var forged = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["Token"] = "shp_x" }), Cancel);
        using var redirect = await browser.GetAsync("/operations", Cancel);

        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        redirect.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        foreach (var response in new[] { forged, redirect })
        {
            Header(response, "Content-Security-Policy").ShouldBe(PageCsp);
            ShouldHaveCommonHeaders(response);
        }
    }

    [Fact]
    public async Task Only_the_scalar_api_reference_gets_the_relaxed_policy_and_it_still_renders()
    {
        using var browser = app.From("198.51.100.13");
        using var redirect = await browser.GetAsync("/api/reference", Cancel);
        redirect.Headers.Location!.ToString().ShouldEndWith("reference/");
        using var reference = await browser.GetAsync("/api/reference/", Cancel);

        reference.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await reference.Content.ReadAsStringAsync(Cancel)).ShouldContain("<script");
        var csp = Header(reference, "Content-Security-Policy");
        csp.ShouldContain("script-src 'self' 'unsafe-inline'");
        csp.ShouldContain("frame-ancestors 'none'");
        csp.ShouldContain("object-src 'none'");
        ShouldHaveCommonHeaders(reference);
    }

    [Fact]
    public async Task Hsts_is_sent_only_when_a_trusted_proxy_says_the_request_came_over_https()
    {
        using var direct = app.From("198.51.100.14");
        using var spoofer = app.From("203.0.113.14");
        using var proxy = app.From("127.0.0.1");

        using var plain = await direct.GetAsync("/signin", Cancel);
        using var spoofed = await Send(spoofer, "/signin", ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "church.example"));
        // The library never sends HSTS to "localhost", so the proxy names the public host as well.
        using var proxied = await Send(proxy, "/signin", ("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "198.51.100.15"),
            ("X-Forwarded-Host", "church.example"));
        using var proxiedApi = await Send(proxy, "/healthz/live", ("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "198.51.100.15"),
            ("X-Forwarded-Host", "church.example"));

        plain.Headers.Contains("Strict-Transport-Security").ShouldBeFalse();
        spoofed.Headers.Contains("Strict-Transport-Security").ShouldBeFalse();
        Header(proxied, "Strict-Transport-Security").ShouldBe("max-age=31536000; includeSubDomains");
        Header(proxiedApi, "Strict-Transport-Security").ShouldBe("max-age=31536000; includeSubDomains");
    }

    internal static async Task<HttpResponseMessage> Send(HttpClient http, string url, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }
        return await http.SendAsync(request, Cancel);
    }

    private static void ShouldHaveCommonHeaders(HttpResponseMessage response)
    {
        var url = response.RequestMessage!.RequestUri!.ToString();
        Header(response, "X-Content-Type-Options").ShouldBe("nosniff", url);
        Header(response, "X-Frame-Options").ShouldBe("DENY", url);
        Header(response, "Cross-Origin-Opener-Policy").ShouldBe("same-origin", url);
        var permissions = Header(response, "Permissions-Policy");
        foreach (var denied in new[] { "camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()" })
        {
            permissions.ShouldContain(denied, customMessage: url);
        }
        // The structured-field form of (self): passkeys will need WebAuthn on our own pages.
        permissions.ShouldContain("publickey-credentials-get=self", customMessage: url);
        response.Headers.Contains("Strict-Transport-Security").ShouldBeFalse(url);
        response.Headers.Contains("Server").ShouldBeFalse(url);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new ShouldAssertException($"{response.RequestMessage?.RequestUri} has no {name} header.");
}
