using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Shepherd.Platform.Security;

/// <summary>Hardening of the web host: security headers, rate limits, request size limits, forwarded headers.</summary>
public static class SecurityRegistration
{
    public static IServiceCollection AddShepherdSecurity(this IServiceCollection services)
    {
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section);
        services.AddSingleton<IConfigureOptions<ForwardedHeadersOptions>, ForwardedHeadersSetup>();
        services.AddShepherdSecurityHeaders();
        services.AddShepherdRateLimits();
        RequestSizeLimits.AddShepherdRequestSizeLimits(services);
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(SecurityMetrics.MeterName));
        return services;
    }

    /// <summary>
    /// First in the pipeline: the client IP and scheme from a trusted proxy, then the security headers (they are
    /// written when the response starts, so every later middleware's answers carry them, errors and 429s included).
    /// </summary>
    public static IApplicationBuilder UseShepherdForwardedHeadersAndSecurityHeaders(this IApplicationBuilder app) =>
        app.UseForwardedHeaders().UseSecurityHeaders();

    public static IApplicationBuilder UseShepherdRequestSizeLimits(this IApplicationBuilder app) =>
        app.UseMiddleware<RequestSizeLimits>();
}
