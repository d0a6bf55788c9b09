using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shepherd.Data;
using Shepherd.Data.Alerting;
using Shepherd.Data.Audit;
using Shepherd.Operations.Alerting.Delivery;

namespace Shepherd.Operations.Alerting;

/// <summary>What one evaluation did, for the log and the tests.</summary>
public sealed record EvaluationResult(bool Leader, int Pending, int Firing, int Resolved, int Queued);

/// <summary>
/// The built-in evaluator: every rule of the catalogue (with the administrators' changes), measured by <see cref="AlertSignals"/>,
/// kept as incidents in the database, pending → firing → resolved. One replica evaluates at a time: the one holding the lease
/// row (<see cref="AlertEvaluatorLease"/>), taken when it has expired and renewed at every evaluation; a <c>serve</c> takes it
/// over from a <c>worker</c>, since only a process serving requests can measure them. Notifications are queued as
/// <see cref="AlertNotification"/> rows, one per channel, grouping the alerts of one evaluation, and delivered afterwards.
/// </summary>
public sealed partial class AlertEvaluator(
    ShepherdDbContextFactory contexts,
    AlertRules rules,
    AlertSignals signals,
    AlertMessages messages,
    IOptions<AlertingOptions> options,
    TimeProvider clock,
    AlertDispatcher dispatcher,
    ILogger<AlertEvaluator> logger,
    IServiceProvider services)
{
    public const int LeaseId = 1;

    private readonly string _holder = HolderName(services.GetService<Monitoring.RequestMonitor>() is null ? "worker" : "serve");

    /// <summary>This process's name in the lease: mode, host, process id and a random part (several hosts may share a process).</summary>
    public string Holder => _holder;

    /// <summary>One round: evaluate (on the lease holder), then deliver what is due.</summary>
    public async Task<EvaluationResult> TickAsync(CancellationToken cancellationToken)
    {
        var result = await EvaluateAsync(cancellationToken);
        if (result.Leader)
        {
            await dispatcher.DeliverDueAsync(cancellationToken);
        }
        return result;
    }

    public async Task<EvaluationResult> EvaluateAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var settings = options.Value;
        await using var db = contexts.Create(null, AuditActor.System);
        if (!await TakeLeaseAsync(db, now, cancellationToken))
        {
            return new EvaluationResult(false, 0, 0, 0, 0);
        }

        var current = await rules.CurrentAsync(db, cancellationToken);
        var open = await db.AlertIncidents.Where(i => i.Status != AlertStatus.Resolved).ToListAsync(cancellationToken);
        var silences = await db.AlertSilences.AsNoTracking().Where(s => s.EndsAt > now).ToListAsync(cancellationToken);
        var windows = await db.AlertMaintenanceWindows.AsNoTracking().Where(w => w.Enabled).ToListAsync(cancellationToken);
        var channels = await ChannelsAsync(db, now, cancellationToken);

        var batch = new List<(AlertIncident Incident, AlertRule Rule, AlertNotificationKind Kind)>();
        int pending = 0, firing = 0, resolved = 0;
        foreach (var active in current)
        {
            var rule = active.Rule;
            var incident = open.FirstOrDefault(i => i.RuleName == rule.Name);
            var measurement = active.Enabled ? signals.Measure(rule, databaseReachable: true, settings.AvailabilityObjective) : null;
            if (measurement is { Holds: true })
            {
                if (incident is null)
                {
                    incident = new AlertIncident
                    {
                        RuleName = rule.Name,
                        Severity = rule.Severity,
                        Summary = rule.Summary,
                        Status = AlertStatus.Pending,
                        Threshold = rule.Threshold.Value,
                        PendingSince = now,
                        PeakValue = measurement.Value,
                    };
                    db.AlertIncidents.Add(incident);
                    LogPending(logger, rule.Name, measurement.Value, rule.Threshold.Value);
                }
                incident.Value = measurement.Value;
                incident.PeakValue = Math.Max(incident.PeakValue, measurement.Value);
                if (incident.Status == AlertStatus.Pending && now - incident.PendingSince >= rule.For)
                {
                    incident.Status = AlertStatus.Firing;
                    incident.FiredAt = now;
                    LogFiring(logger, rule.Name, rule.Severity.ToString(), measurement.Value, rule.Threshold.Value);
                }
                if (incident.Status == AlertStatus.Firing)
                {
                    firing++;
                    incident.SuppressedBy = AlertSuppression.SuppressedBy(rule, silences, windows, now);
                    if (NoticeDue(incident, rule, now, settings) is { } kind)
                    {
                        batch.Add((incident, rule, kind));
                    }
                }
                else
                {
                    pending++;
                }
            }
            else if (incident is { Status: AlertStatus.Pending })
            {
                // Cleared before its for-duration: nobody was told, and it leaves no history.
                db.AlertIncidents.Remove(incident);
            }
            else if (incident is { Status: AlertStatus.Firing })
            {
                resolved++;
                incident.Status = AlertStatus.Resolved;
                incident.ResolvedAt = now;
                if (measurement is not null)
                {
                    incident.Value = measurement.Value;
                }
                LogResolved(logger, rule.Name, active.Enabled ? "the condition no longer holds" : "the rule was turned off");
                if (incident.LastNotifiedAt is not null)
                {
                    batch.Add((incident, rule, AlertNotificationKind.Resolved));
                }
            }
        }

        var queued = Queue(db, batch, channels, now);
        queued += await DigestAsync(db, current, channels, now, settings, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return new EvaluationResult(true, pending, firing, resolved, queued);
    }

    /// <summary>Gives the lease up (at shutdown), so another replica takes over at its next evaluation instead of after the expiry.</summary>
    public async Task ReleaseLeaseAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var now = clock.GetUtcNow();
        await db.AlertEvaluatorLeases.Where(l => l.Id == LeaseId && l.Holder == _holder)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, now), cancellationToken);
    }

    /// <summary>Whether a firing incident needs a notice now, and which: the first, a repeat, or the escalation of a P0.</summary>
    private static AlertNotificationKind? NoticeDue(AlertIncident incident, AlertRule rule, DateTimeOffset now, AlertingOptions settings)
    {
        if (incident.SuppressedBy is not null || incident.AcknowledgedAt is not null || rule.Severity == AlertSeverity.P3)
        {
            // Muted, or someone is on it; information alerts wait for the daily digest.
            return null;
        }
        // Counted from the first notice: time spent muted by a silence or a maintenance window gave nobody a chance to answer.
        if (rule.Severity == AlertSeverity.P0 && incident.EscalatedAt is null && incident.FirstNotifiedAt is { } first && now - first >= settings.EscalateAfter)
        {
            return AlertNotificationKind.Escalation;
        }
        if (incident.LastNotifiedAt is null)
        {
            return AlertNotificationKind.Firing;
        }
        return now - incident.LastNotifiedAt >= AlertingOptions.RepeatInterval(rule.Severity) ? AlertNotificationKind.Repeat : null;
    }

    /// <summary>One notification per channel and kind, each listing its alerts; returns how many were queued.</summary>
    private int Queue(
        ShepherdDbContext db,
        List<(AlertIncident Incident, AlertRule Rule, AlertNotificationKind Kind)> batch,
        IReadOnlyList<AlertChannel> channels,
        DateTimeOffset now)
    {
        var queued = 0;
        var told = new HashSet<AlertIncident>();
        foreach (var group in batch.GroupBy(b => b.Kind))
        {
            var escalationContacts = channels.Where(c => c.Escalation).ToList();
            foreach (var channel in channels)
            {
                var alerts = group.Where(a => Receives(channel, a.Incident, group.Key, escalationContacts.Count > 0))
                    .Select(a => (a.Incident, a.Rule)).ToList();
                if (alerts.Count == 0)
                {
                    continue;
                }
                var (subject, body, payload) = messages.Compose(group.Key, alerts);
                var notification = new AlertNotification
                {
                    Channel = channel,
                    Kind = group.Key,
                    Subject = subject,
                    Body = body,
                    Payload = payload,
                    CreatedAt = now,
                    NextAttemptAt = now,
                    Status = AlertDeliveryStatus.Queued,
                };
                notification.Incidents.AddRange(alerts.Select(a => a.Incident));
                db.AlertNotifications.Add(notification);
                queued++;
                told.UnionWith(alerts.Select(a => a.Incident));
            }
        }
        foreach (var (incident, _, kind) in batch)
        {
            if (kind == AlertNotificationKind.Escalation)
            {
                incident.EscalatedAt = now;
            }
            if (kind != AlertNotificationKind.Resolved && told.Contains(incident))
            {
                incident.FirstNotifiedAt ??= now;
                incident.LastNotifiedAt = now;
                incident.NotificationCount++;
            }
        }
        return queued;
    }

    /// <summary>
    /// Whether a channel gets a notice: enabled, urgent enough for it, and the right contact list: escalation contacts get the
    /// escalation and what follows it; the first contacts get everything else (and the escalation when nobody else would).
    /// </summary>
    private static bool Receives(AlertChannel channel, AlertIncident incident, AlertNotificationKind kind, bool anyEscalationContacts)
    {
        if (!channel.Enabled || incident.Severity > channel.MinimumSeverity)
        {
            return false;
        }
        return channel.Escalation
            ? kind == AlertNotificationKind.Escalation || (incident.EscalatedAt is not null && kind is AlertNotificationKind.Repeat or AlertNotificationKind.Resolved)
            : kind != AlertNotificationKind.Escalation || !anyEscalationContacts;
    }

    /// <summary>The daily digest of P3 alerts: once a day at the digest time, what fired since the last one.</summary>
    private async Task<int> DigestAsync(
        ShepherdDbContext db, IReadOnlyList<ActiveRule> current, IReadOnlyList<AlertChannel> channels, DateTimeOffset now,
        AlertingOptions settings, CancellationToken cancellationToken)
    {
        var lease = await db.AlertEvaluatorLeases.FirstAsync(l => l.Id == LeaseId, cancellationToken);
        var zone = AlertSuppression.FindZone(settings.TimeZone) ?? TimeZoneInfo.Utc;
        var localToday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var dueLocal = localToday.ToDateTime(settings.DigestTime);
        var due = new DateTimeOffset(dueLocal, zone.GetUtcOffset(dueLocal));
        if (due > now)
        {
            due = due.AddDays(-1);
        }
        if (lease.LastDigestAt is null)
        {
            // The first evaluation ever: the next digest time starts the count.
            lease.LastDigestAt = now;
            return 0;
        }
        if (lease.LastDigestAt >= due)
        {
            return 0;
        }
        lease.LastDigestAt = now;
        var information = await db.AlertIncidents
            .Where(i => i.Severity == AlertSeverity.P3 && i.FiredAt != null && i.DigestedAt == null)
            .ToListAsync(cancellationToken);
        var alerts = information
            .Select(i => (Incident: i, Rule: current.FirstOrDefault(r => r.Rule.Name == i.RuleName)?.Rule))
            .Where(a => a.Rule is not null && a.Incident.SuppressedBy is null)
            .Select(a => (a.Incident, a.Rule!, AlertNotificationKind.Digest))
            .ToList();
        if (alerts.Count == 0)
        {
            return 0;
        }
        foreach (var (incident, _, _) in alerts)
        {
            incident.DigestedAt = now;
        }
        return Queue(db, alerts, channels, now);
    }

    /// <summary>The channels; on a new installation with none, the platform administrators' e-mail channel is created.</summary>
    private async Task<IReadOnlyList<AlertChannel>> ChannelsAsync(ShepherdDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var channels = await db.AlertChannels.ToListAsync(cancellationToken);
        if (channels.Count == 0 && options.Value.NotifyPlatformAdministrators)
        {
            var administrators = new AlertChannel
            {
                Name = "Platform administrators",
                Kind = AlertChannelKind.PlatformAdministrators,
                Target = "",
                CreatedAt = now,
                CreatedBy = "system",
            };
            db.AlertChannels.Add(administrators);
            channels.Add(administrators);
        }
        return channels;
    }

    /// <summary>Takes or renews the lease; false when another replica holds it.</summary>
    private async Task<bool> TakeLeaseAsync(ShepherdDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expires = now + 3 * options.Value.EvaluationInterval + TimeSpan.FromSeconds(5);
        var servesRequests = _holder.StartsWith("serve:", StringComparison.Ordinal);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var taken = await db.AlertEvaluatorLeases
                .Where(l => l.Id == LeaseId && (l.Holder == _holder || l.Holder == null || l.ExpiresAt <= now
                    || (servesRequests && l.Holder.StartsWith("worker:"))))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(l => l.Holder, _holder)
                    .SetProperty(l => l.ExpiresAt, expires)
                    .SetProperty(l => l.LastEvaluatedAt, now), cancellationToken);
            if (taken == 1)
            {
                return true;
            }
            if (await db.AlertEvaluatorLeases.AnyAsync(l => l.Id == LeaseId, cancellationToken))
            {
                return false;
            }
            // The row the migration seeds is gone (a restore from an old dump, a hand cleanup): put it back and try again.
            db.AlertEvaluatorLeases.Add(new AlertEvaluatorLease { Id = LeaseId, ExpiresAt = now });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another replica put it back first.
            }
            db.ChangeTracker.Clear();
        }
        return false;
    }

    private static string HolderName(string mode)
    {
        var host = Environment.MachineName.Length > 100 ? Environment.MachineName[..100] : Environment.MachineName;
        return string.Create(CultureInfo.InvariantCulture, $"{mode}:{host}:{Environment.ProcessId}:{Guid.NewGuid():N}");
    }

    [LoggerMessage(EventId = 7110, Level = LogLevel.Information, Message = "Alert {Rule} pending: {Value} over {Threshold}")]
    private static partial void LogPending(ILogger logger, string rule, double value, double threshold);

    [LoggerMessage(EventId = 7111, Level = LogLevel.Warning, Message = "Alert {Rule} ({Severity}) firing: {Value} over {Threshold}")]
    private static partial void LogFiring(ILogger logger, string rule, string severity, double value, double threshold);

    [LoggerMessage(EventId = 7112, Level = LogLevel.Information, Message = "Alert {Rule} resolved: {Reason}")]
    private static partial void LogResolved(ILogger logger, string rule, string reason);
}
