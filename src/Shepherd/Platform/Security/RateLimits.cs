using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Shepherd.Platform.Security;

/// <summary>
/// The named rate limit policies (built-in ASP.NET Core limiter, fixed windows, limits from Shepherd:Security:RateLimits).
/// A refused request gets 429 with Retry-After in seconds and problem details, counts in shepherd.security.rate_limited
/// and is logged at Warning. The counters live in this process's memory: with several replicas each one limits on its
/// own until the Redis-backed counters of the multi-replica work (DESIGN.md) replace them.
/// </summary>
public static partial class RateLimits
{
    /// <summary>Sign-in attempts, per client IP.</summary>
    public const string SignIn = "sign-in";

    /// <summary>Password reset requests, per client IP.</summary>
    public const string PasswordReset = "password-reset";

    /// <summary>The API, per bearer token (by its hash) for a valid token, otherwise per client IP.</summary>
    public const string Api = "api";

    public static IServiceCollection AddShepherdRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SecurityOptions>>((o, security) =>
        {
            var limits = security.Value.RateLimits;
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(SignIn, http => Posts(http, limits.SignIn));
            o.AddPolicy(PasswordReset, http => Posts(http, limits.PasswordReset));
            o.AddPolicy(Api, http => Window(ClientPartition.TokenOrAddress(http), limits.Api));
            o.OnRejected = RejectAsync;
        });
        return services;
    }

    /// <summary>Pages carry the policy as a whole; only their form posts are attempts, showing the form is free.</summary>
    private static RateLimitPartition<string> Posts(HttpContext http, RateLimitWindow window) =>
        HttpMethods.IsPost(http.Request.Method) ? Window(ClientPartition.Address(http), window) : RateLimitPartition.GetNoLimiter("");

    private static RateLimitPartition<string> Window(string partition, RateLimitWindow window) =>
        RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = window.PermitLimit,
            Window = window.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var policy = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName ?? "global";
        var partition = policy == Api ? ClientPartition.TokenOrAddress(http) : ClientPartition.Address(http);
        http.RequestServices.GetRequiredService<SecurityMetrics>().RateLimited(policy);
        LogRateLimited(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RateLimits)), policy,
            ClientPartition.Describe(partition));

        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Type = "https://www.rfc-editor.org/rfc/rfc6585#section-4",
                Title = "Too many requests",
                Detail = string.Create(CultureInfo.InvariantCulture,
                    $"Too many requests from you in a short time. Try again in {seconds} second{(seconds == 1 ? "" : "s")}."),
            },
        });
    }

    [LoggerMessage(EventId = 4290, EventName = "RateLimited", Level = LogLevel.Warning, Message = "Rate limit {Policy} hit by {Partition}")]
    private static partial void LogRateLimited(ILogger logger, string policy, string partition);
}
