using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data;
using Shepherd.Data.Alerting;
using Shepherd.Data.Audit;
using Shepherd.Tests.Infrastructure;

namespace Shepherd.Tests.Alerting;

// Alerting rows are instance-wide, so these tests share an app of their own (AlertingApp.cs) with the built-in evaluator
// off: the incidents they write are the only ones, and nothing resolves them behind the tests' back.
[CollectionDefinition(nameof(AlertingSqliteCollection))]
public sealed class AlertingSqliteCollection : ICollectionFixture<AlertingSqliteApp>;

[CollectionDefinition(nameof(AlertingPostgresCollection))]
public sealed class AlertingPostgresCollection : ICollectionFixture<AlertingPostgresApp>;

/// <summary>Incidents written straight into the database, as the evaluator would leave them.</summary>
public static class Incidents
{
    public static ShepherdDbContext Database(this ShepherdApp app) =>
        app.Services.GetRequiredService<ShepherdDbContextFactory>().Create(null, AuditActor.System);

    /// <summary>A new incident of <paramref name="rule"/>, after removing the rule's open ones (one open incident per rule).</summary>
    public static async Task<long> OpenAsync(ShepherdApp app, string rule, AlertStatus status, string? suppressedBy = null, int notifications = 0)
    {
        await using var db = app.Database();
        await db.AlertIncidents.Where(i => i.RuleName == rule && i.Status != AlertStatus.Resolved).ExecuteDeleteAsync();
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow().AddMinutes(-5);
        var incident = new AlertIncident
        {
            RuleName = rule,
            Severity = AlertSeverity.P1,
            Status = status,
            Summary = $"{rule} in a test",
            Threshold = 0.05,
            Value = 0.2,
            PeakValue = 0.3,
            PendingSince = now.AddMinutes(-2),
            FiredAt = status == AlertStatus.Pending ? null : now,
            ResolvedAt = status == AlertStatus.Resolved ? now.AddMinutes(3) : null,
            SuppressedBy = suppressedBy,
            NotificationCount = notifications,
        };
        db.AlertIncidents.Add(incident);
        await db.SaveChangesAsync();
        return incident.Id;
    }

    public static async Task<AlertIncident> FindAsync(ShepherdApp app, long id)
    {
        await using var db = app.Database();
        return await db.AlertIncidents.AsNoTracking().SingleAsync(i => i.Id == id);
    }
}
