namespace Shepherd.Platform.Security;

/// <summary>Shepherd:Security: request limits, the reverse proxies trusted for forwarded headers, and rate limits.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Shepherd:Security";

    /// <summary>Largest request body in bytes (default 10 MB: a 5 MB photo upload fits with room to spare).</summary>
    public long MaxRequestBodySize { get; set; } = 10 * 1024 * 1024;

    /// <summary>All request headers together, in bytes (Kestrel's default, 32 KB).</summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>Number of request headers (Kestrel's default, 100).</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Number of fields in a posted form (ASP.NET Core's default, 1024).</summary>
    public int MaxFormValueCount { get; set; } = 1024;

    /// <summary>
    /// Addresses of reverse proxies whose X-Forwarded-For/Proto/Host are believed. Empty with <see cref="KnownNetworks"/>
    /// also empty: loopback only (a proxy on the same machine).
    /// </summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, e.g. 10.0.0.0/8) whose proxies are believed, besides <see cref="KnownProxies"/>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies' entries are read from the end of X-Forwarded-For (default 1: one proxy in front).</summary>
    public int ForwardLimit { get; set; } = 1;

    public RateLimitSettings RateLimits { get; set; } = new();
}

/// <summary>Shepherd:Security:RateLimits: one window per named policy (<see cref="Security.RateLimits"/>).</summary>
public sealed class RateLimitSettings
{
    public RateLimitWindow SignIn { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };

    public RateLimitWindow PasswordReset { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(15) };

    public RateLimitWindow Api { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };
}

/// <summary>At most <see cref="PermitLimit"/> requests per partition in each fixed <see cref="Window"/>.</summary>
public sealed class RateLimitWindow
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; }
}
