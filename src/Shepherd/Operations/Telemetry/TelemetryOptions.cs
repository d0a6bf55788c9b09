namespace Shepherd.Operations.Telemetry;

/// <summary>Settings under Shepherd:Telemetry.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Shepherd:Telemetry";

    /// <summary>
    /// Off: no OpenTelemetry metrics are collected or exported and GET /metrics answers 404. Logs are not affected
    /// (see Shepherd:Logs:RequestLogging for the per-request line).
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>An OTLP collector (e.g. http://otel-collector:4317); metrics are pushed there too when set. /metrics is always there.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>How old the business counts (people, families, check-ins today) may be before a scrape reads them again.</summary>
    public TimeSpan BusinessRefresh { get; set; } = TimeSpan.FromMinutes(1);
}
