using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Shepherd.Operations.Backups;

namespace Shepherd.Operations.Health;

/// <summary>
/// "backups": Unhealthy when the latest verification failed, Degraded when the newest successful backup is older than
/// <c>Shepherd:Backups:Schedule:MaxAgeHours</c> (or there is none), Healthy otherwise.
/// </summary>
public sealed class BackupsHealthCheck(BackupStatus status, IOptions<BackupScheduleOptions> options, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var maxAge = TimeSpan.FromHours(options.Value.MaxAgeHours);
        // The folder is the truth: the worker, `backup verify` or a cron job in another process may have changed it
        // since this process last looked. Listing reads only each file's manifest and verification record.
        await status.LoadAsync(cancellationToken);
        var state = status.Current;
        var data = new Dictionary<string, object>
        {
            ["lastSuccessAt"] = state.LastSuccessAt?.ToString("O", CultureInfo.InvariantCulture) ?? "never",
            ["maxAgeHours"] = options.Value.MaxAgeHours,
        };
        if (state.LastVerifyPassed == false)
        {
            return HealthCheckResult.Unhealthy($"The latest backup failed verification ({state.LastVerifyDetail}): take a new one with `shepherd backup create` and find out why.", data: data);
        }
        if (state.LastSuccessAt is not { } at)
        {
            return HealthCheckResult.Degraded("No verified backup exists yet: run `shepherd backup create` and `shepherd backup verify`, or wait for the nightly backup.", data: data);
        }
        var age = clock.GetUtcNow() - at;
        return age > maxAge
            ? HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture, $"The newest verified backup is {age.TotalHours:F1} h old (more than {options.Value.MaxAgeHours} h): check the nightly backup's log."), data: data)
            : HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"The newest verified backup is {age.TotalHours:F1} h old."), data);
    }
}
