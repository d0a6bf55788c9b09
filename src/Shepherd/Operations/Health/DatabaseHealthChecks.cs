using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Operations.Migrations;

namespace Shepherd.Operations.Health;

/// <summary>
/// "database": the round trip of a trivial query and of a representative one (the people of the first organization,
/// counted through the pooled context factory). Unhealthy when the database does not answer, Degraded when slow.
/// </summary>
public sealed class DatabaseHealthCheck(ShepherdDbContextFactory contexts, IOptions<HealthOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var threshold = options.Value.DatabaseDegradedMs;
        var data = new Dictionary<string, object> { ["degradedAboveMs"] = threshold };
        try
        {
            await using var db = contexts.Create(null, AuditActor.System);
            var start = Stopwatch.GetTimestamp();
            await db.Database.ExecuteSqlRawAsync("SELECT 1", cancellationToken);
            var roundTrip = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            var organization = await db.Organizations.OrderBy(o => o.Id).Select(o => (long?)o.Id).FirstOrDefaultAsync(cancellationToken);
            var people = organization is { } id
                ? await db.People.IgnoreQueryFilters().CountAsync(p => p.OrganizationId == id, cancellationToken)
                : 0;
            var query = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            data["roundTripMs"] = Math.Round(roundTrip, 2);
            data["queryMs"] = Math.Round(query, 2);
            data["queryPeople"] = people;
            var text = string.Create(CultureInfo.InvariantCulture,
                $"SELECT 1 took {roundTrip:F1} ms; counting the {people} people of the first organization took {query:F1} ms");
            return Math.Max(roundTrip, query) > threshold
                ? HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture, $"{text} (more than {threshold} ms): look at the database server's load and slow queries."), data: data)
                : HealthCheckResult.Healthy($"{text}.", data);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy(
                $"The database does not answer ({e.GetBaseException().Message}): check that the server runs and the connection string (ConnectionStrings__Shepherd).",
                data: data);
        }
    }
}

/// <summary>"migrations": Unhealthy while the database misses migrations this build needs (run `shepherd migrate up`).</summary>
public sealed class MigrationsHealthCheck(SchemaMigrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["unhealthyAbovePending"] = 0 };
        MigrationStatus status;
        try
        {
            status = await migrator.GetStatusAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"Cannot read the applied migrations ({e.GetBaseException().Message}).", data: data);
        }
        data["applied"] = status.Applied.Count;
        data["pending"] = status.Pending.Count;
        return status.Pending.Count > 0
            ? HealthCheckResult.Unhealthy(
                $"{status.Pending.Count} pending migration(s) ({string.Join(", ", status.Pending)}): run `shepherd migrate up`.", data: data)
            : HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"All {status.Applied.Count} migrations are applied."), data);
    }
}
