using System.Diagnostics.Metrics;

namespace Shepherd.Platform.Security;

/// <summary>Security events as metrics (meter Shepherd.Security), for alerting on unusual request rates.</summary>
public sealed class SecurityMetrics
{
    public const string MeterName = "Shepherd.Security";
    public const string RateLimitedName = "shepherd.security.rate_limited";

    private readonly Counter<long> _rateLimited;

    public SecurityMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _rateLimited = meter.CreateCounter<long>(RateLimitedName, "{request}", "Requests refused with 429 by a rate limit policy.");
    }

    public void RateLimited(string policy) => _rateLimited.Add(1, new KeyValuePair<string, object?>("policy", policy));
}
