namespace Shepherd.Operations.Logs;

/// <summary>What <c>shepherd logs analyze</c> looks for; <see cref="Since"/> null reads everything.</summary>
public sealed record LogAnalysisOptions(DateTimeOffset? Since, TimeSpan SlowThreshold, int BurstThreshold, int Top = 10);

/// <summary>The answer of <c>shepherd logs analyze</c>, printed as tables or as JSON (<c>--json</c>).</summary>
public sealed record LogReport(
    IReadOnlyList<string> Files,
    DateTimeOffset? Since,
    long Lines,
    long MalformedLines,
    long LinesBeforeSince,
    long Requests,
    long ServerErrors,
    double ErrorRate,
    IReadOnlyList<EndpointStats> TopEndpointsByCount,
    IReadOnlyList<EndpointStats> TopEndpointsByP95,
    IReadOnlyList<ErrorGroup> ErrorGroups,
    double SlowThresholdMs,
    long SlowRequestCount,
    IReadOnlyList<SlowRequest> SlowestRequests,
    IReadOnlyList<FailedSignIns> FailedSignInsByIp,
    int BurstThreshold,
    IReadOnlyList<ErrorBurst> ServerErrorBursts);

/// <summary>An endpoint is the method and the route template (<c>GET /api/v1/people/{id}</c>), or the path when no route matched.</summary>
public sealed record EndpointStats(string Endpoint, long Count, long ServerErrors, double P95Ms);

/// <summary>Error lines (not request lines) grouped by exception type and message template.</summary>
public sealed record ErrorGroup(string? ExceptionType, string? MessageTemplate, long Count, DateTimeOffset Last);

public sealed record SlowRequest(DateTimeOffset Timestamp, string Endpoint, int StatusCode, double ElapsedMs, string? TraceId);

public sealed record FailedSignIns(string Ip, long Count);

/// <summary>A minute (UTC, start) with at least the burst threshold of 5xx responses.</summary>
public sealed record ErrorBurst(DateTimeOffset Minute, long ServerErrors);
