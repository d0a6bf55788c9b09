using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shepherd.Operations.Maintenance;

namespace Shepherd.Operations.Health;

/// <summary>"database-integrity": Unhealthy when the latest nightly maintenance found the database damaged.</summary>
public sealed class DatabaseIntegrityHealthCheck(MaintenanceStatus status) : IHealthCheck
{
    private static readonly Dictionary<string, object> Thresholds = new()
    {
        ["unhealthyWhenIntegrityCheckFails"] = true,
        ["degradedWhenMaintenanceFails"] = true,
    };

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(status.Last switch
        {
            null => HealthCheckResult.Healthy("No maintenance has run in this process yet.", Thresholds),
            { IntegrityOk: false } report => HealthCheckResult.Unhealthy(
                $"The integrity check of {report.StartedAt:u} failed ({report.IntegrityDetail}): restore the newest verified backup (`shepherd backup restore`).", data: Thresholds),
            { IntegrityOk: true } report => HealthCheckResult.Healthy($"Integrity check passed at {report.StartedAt:u}.", Thresholds),
            { Error: { } error } report => HealthCheckResult.Degraded($"The maintenance of {report.StartedAt:u} failed: {error}", data: Thresholds),
            var report => HealthCheckResult.Healthy($"Maintenance ran at {report.StartedAt:u} ({report.Provider}: no file integrity check).", Thresholds),
        });
}
