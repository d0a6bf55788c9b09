using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Security;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Security;

/// <summary>The sign-in and API rate limits: 429 with Retry-After and problem details, per IP or per token, counted in a metric.</summary>
[Collection(SecurityCollection.Name)]
public sealed class RateLimitTests(SecurityApp app)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sign_in_posts_beyond_the_limit_get_429_with_retry_after_and_problem_details_while_the_form_still_shows()
    {
        using var rejected = new CounterReading(app.Services, SecurityMetrics.MeterName, SecurityMetrics.RateLimitedName, ("policy", RateLimits.SignIn));
        using var browser = app.From("198.51.100.20");
        for (var attempt = 1; attempt <= SecurityApp.SignInLimit; attempt++)
        {
            using var allowed = await SecurityApp.PostWrongTokenAsync(browser, cancellationToken: Cancel);
            allowed.StatusCode.ShouldBe(HttpStatusCode.OK, $"attempt {attempt}");
        }

        using var refused = await SecurityApp.PostWrongTokenAsync(browser, cancellationToken: Cancel);

        await ShouldBeTooManyRequestsAsync(refused, maxSeconds: 3600);
        rejected.Value.ShouldBe(1);
        // Showing the form is not an attempt; another address has attempts of its own.
        using var form = await browser.GetAsync("/signin", Cancel);
        form.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var neighbour = app.From("198.51.100.21");
        using var first = await SecurityApp.PostWrongTokenAsync(neighbour, cancellationToken: Cancel);
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Each_api_token_has_its_own_limit_and_the_metric_counts_each_refusal()
    {
        using var rejected = new CounterReading(app.Services, SecurityMetrics.MeterName, SecurityMetrics.RateLimitedName, ("policy", RateLimits.Api));
        using var first = await app.NewOrganizationAsync([ApiScopes.Read], cancellationToken: Cancel);
        using var second = await app.NewOrganizationAsync([ApiScopes.Read], cancellationToken: Cancel);
        for (var request = 1; request <= SecurityApp.ApiLimit; request++)
        {
            using var allowed = await first.Http.GetAsync("/api/v1/campuses", Cancel);
            allowed.StatusCode.ShouldBe(HttpStatusCode.OK, $"request {request}");
        }

        using var refused = await first.Http.GetAsync("/api/v1/campuses", Cancel);
        using var refusedAgain = await first.Http.GetAsync("/api/v1/people", Cancel);
        using var other = await second.Http.GetAsync("/api/v1/campuses", Cancel);

        await ShouldBeTooManyRequestsAsync(refused, maxSeconds: 3600);
        refusedAgain.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        other.StatusCode.ShouldBe(HttpStatusCode.OK);
        rejected.Value.ShouldBe(2);
    }

    [Fact]
    public async Task Monitoring_endpoints_are_not_limited_by_the_api_limit()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        for (var request = 1; request <= SecurityApp.ApiLimit + 3; request++)
        {
            using var health = await monitor.Http.GetAsync("/api/monitoring/health", Cancel);
            health.StatusCode.ShouldNotBe(HttpStatusCode.TooManyRequests, $"request {request}");
            using var metrics = await monitor.Http.GetAsync("/metrics", Cancel);
            metrics.StatusCode.ShouldBe(HttpStatusCode.OK, $"request {request}");
        }
    }

    [Fact]
    public async Task A_spoofed_forwarded_for_from_an_untrusted_address_is_ignored_and_one_from_the_trusted_proxy_is_believed()
    {
        // An untrusted sender naming a new client each time still spends its own attempts.
        using var spoofer = app.From("203.0.113.30");
        for (var attempt = 1; attempt <= SecurityApp.SignInLimit; attempt++)
        {
            using var allowed = await SecurityApp.PostWrongTokenAsync(spoofer, $"192.0.2.{attempt}", Cancel);
            allowed.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        using var refused = await SecurityApp.PostWrongTokenAsync(spoofer, "192.0.2.99", Cancel);
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

        // The loopback proxy (trusted by default) forwards distinct clients: each one has its own attempts.
        using var proxy = app.From("127.0.0.1");
        for (var client = 1; client <= SecurityApp.SignInLimit + 2; client++)
        {
            using var allowed = await SecurityApp.PostWrongTokenAsync(proxy, $"192.0.2.{100 + client}", Cancel);
            allowed.StatusCode.ShouldBe(HttpStatusCode.OK, $"client {client}");
        }
    }

    private static async Task ShouldBeTooManyRequestsAsync(HttpResponseMessage response, int maxSeconds)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        var retryAfter = int.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        retryAfter.ShouldBeInRange(1, maxSeconds);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!.AsObject();
        problem["status"]!.GetValue<int>().ShouldBe(429);
        problem["title"]!.GetValue<string>().ShouldBe("Too many requests");
        problem["type"]!.GetValue<string>().ShouldContain("rfc6585");
        problem["detail"]!.GetValue<string>().ShouldContain($"Try again in {retryAfter} second");
        response.Headers.Contains("Content-Security-Policy").ShouldBeTrue();
    }
}
