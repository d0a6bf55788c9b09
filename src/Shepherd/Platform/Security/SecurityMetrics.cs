using System.Diagnostics.Metrics;

namespace Shepherd.Platform.Security;

/// <summary>Security events as metrics (meter Shepherd.Security), for alerting on unusual request rates.</summary>
public sealed class SecurityMetrics
{
    public const string MeterName = "Shepherd.Security";
    public const string RateLimitedName = "shepherd.security.rate_limited";
    public const string SignInsName = "shepherd.security.signins";

    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _signIns;

    public SecurityMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _rateLimited = meter.CreateCounter<long>(RateLimitedName, "{request}", "Requests refused with 429 by a rate limit policy.");
        _signIns = meter.CreateCounter<long>(SignInsName, "{attempt}",
            "Sign-in attempts by outcome (succeeded, failed, locked_out) and step (password, second_factor, passkey).");
    }

    /// <summary>One sign-in attempt: failed ones per minute and lockouts are the brute-force signals alerting watches.</summary>
    public void SignIn(string outcome, string step) => _signIns.Add(1,
        new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("step", step));

    public void RateLimited(string policy) => _rateLimited.Add(1, new KeyValuePair<string, object?>("policy", policy));
}
