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
    AlertChannelSender sender,
    ILogger<AlertEvaluator> logger,
    IServiceProvider services)
{
    public const int LeaseId = 1;

    private readonly string _holder = HolderName(services.GetService<Monitoring.RequestMonitor>() is null ? "worker" : "serve");

    /// <summary>This process's name in the lease: mode, host, process id and a random part (several hosts may share a process).</summary>
    public string Holder => _holder;

    private readonly Lock _gate = new();
    private Outage? _outage;
    private IReadOnlyList<AlertChannel> _lastChannels = [];
    private IReadOnlyList<ActiveRule> _lastRules = [];

    /// <summary>
    /// One round: evaluate (on the lease holder), then deliver what is due. When the database cannot be reached, nothing can
    /// be coordinated: this replica raises <c>DatabaseDown</c> itself, from memory, to the channels it last read (every replica
    /// that cannot reach the database does the same, so each sends its own notice), and records it once the database is back.
    /// </summary>
    public async Task<EvaluationResult> TickAsync(CancellationToken cancellationToken)
    {
        EvaluationResult result;
        try
        {
            result = await EvaluateAsync(cancellationToken);
        }
        catch (Exception e) when (IsDatabaseUnreachable(e))
        {
            await DatabaseUnreachableAsync(e, cancellationToken);
            return new EvaluationResult(false, 0, 0, 0, 0);
        }
        if (result.Leader)
        {
            await dispatcher.DeliverDueAsync(cancellationToken);
        }
        return result;
    }

    /// <summary>An outage seen by this replica: since when, and what it was told.</summary>
    private sealed record Outage(DateTimeOffset Since, DateTimeOffset? FirstNotifiedAt, DateTimeOffset? LastNotifiedAt, int Notices);

    private static bool IsDatabaseUnreachable(Exception e) =>
        e is System.Data.Common.DbException or TimeoutException or Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException
        || e.InnerException is System.Data.Common.DbException or TimeoutException or System.Net.Sockets.SocketException;

    private async Task DatabaseUnreachableAsync(Exception error, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        Outage outage;
        AlertRule? rule;
        IReadOnlyList<AlertChannel> channels;
        lock (_gate)
        {
            outage = _outage ??= new Outage(now, null, null, 0);
            rule = _lastRules.FirstOrDefault(r => r.Enabled && r.Rule.Signal == AlertSignal.DatabaseHealth)?.Rule;
            channels = _lastChannels;
        }
        LogDatabaseUnreachable(logger, error.GetType().Name, error.Message);
        if (rule is null || !Elapsed(outage.Since, now, rule.For)
            || (outage.LastNotifiedAt is { } last && !Elapsed(last, now, AlertingOptions.RepeatInterval(rule.Severity))))
        {
            return;
        }
        var incident = OutageIncident(rule, outage, now, resolvedAt: null);
        var kind = outage.Notices == 0 ? AlertNotificationKind.Firing : AlertNotificationKind.Repeat;
        var (subject, body, payload) = messages.Compose(kind, [(incident, rule)]);
        foreach (var channel in channels.Where(c => Receives(c, incident, kind, anyEscalationContacts: true)))
        {
            var notification = new AlertNotification { Kind = kind, Subject = subject, Body = body, Payload = payload, CreatedAt = now, ChannelId = channel.Id };
            var result = await sender.SendAsync(channel, notification, cancellationToken);
            LogOutageNotice(logger, channel.Name, result.Sent ? "sent" : result.Error ?? "failed");
        }
        lock (_gate)
        {
            _outage = outage with { FirstNotifiedAt = outage.FirstNotifiedAt ?? now, LastNotifiedAt = now, Notices = outage.Notices + 1 };
        }
    }

    /// <summary>The database is back: an outage people were told about is recorded as a resolved incident, with its recovery notice.</summary>
    private void RecordOutage(ShepherdDbContext db, IReadOnlyList<ActiveRule> current, IReadOnlyList<AlertChannel> channels, DateTimeOffset now)
    {
        Outage? outage;
        lock (_gate)
        {
            outage = _outage;
            _outage = null;
        }
        var rule = current.FirstOrDefault(r => r.Rule.Signal == AlertSignal.DatabaseHealth)?.Rule;
        if (outage is null || rule is null)
        {
            return;
        }
        LogDatabaseBack(logger, (now - outage.Since).TotalSeconds);
        if (outage.Notices == 0)
        {
            return;
        }
        var incident = OutageIncident(rule, outage, now, resolvedAt: now);
        db.AlertIncidents.Add(incident);
        Queue(db, [(incident, rule, AlertNotificationKind.Resolved)], channels, now);
    }

    private static AlertIncident OutageIncident(AlertRule rule, Outage outage, DateTimeOffset now, DateTimeOffset? resolvedAt) => new()
    {
        RuleName = rule.Name,
        Severity = rule.Severity,
        Summary = rule.Summary,
        Status = resolvedAt is null ? AlertStatus.Firing : AlertStatus.Resolved,
        Threshold = rule.Threshold.Value,
        Value = resolvedAt is null ? 2 : 0,
        PeakValue = 2,
        PendingSince = outage.Since,
        FiredAt = outage.Since + rule.For,
        ResolvedAt = resolvedAt,
        FirstNotifiedAt = outage.FirstNotifiedAt ?? now,
        LastNotifiedAt = outage.LastNotifiedAt ?? now,
        NotificationCount = outage.Notices,
    };

    /// <summary>What the outage path sends to when the database is gone: the channels as last read, administrators' addresses included.</summary>
    private async Task RememberAsync(IReadOnlyList<ActiveRule> current, IReadOnlyList<AlertChannel> channels, CancellationToken cancellationToken)
    {
        var remembered = new List<AlertChannel>();
        foreach (var channel in channels.Where(c => c.Enabled))
        {
            remembered.Add(channel.Kind == AlertChannelKind.PlatformAdministrators
                ? new AlertChannel
                {
                    Id = channel.Id,
                    Name = channel.Name,
                    Kind = AlertChannelKind.Email,
                    CreatedBy = channel.CreatedBy,
                    Target = string.Join(',', await sender.PlatformAdministratorsAsync(cancellationToken)),
                    MinimumSeverity = channel.MinimumSeverity,
                    Escalation = channel.Escalation,
                }
                : channel);
        }
        lock (_gate)
        {
            _lastRules = current;
            _lastChannels = remembered;
        }
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

        RecordOutage(db, current, channels, now);

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
                if (incident.Status == AlertStatus.Pending && Elapsed(incident.PendingSince, now, rule.For))
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
        await RememberAsync(current, channels, cancellationToken);
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
        if (rule.Severity == AlertSeverity.P0 && incident.EscalatedAt is null && incident.FirstNotifiedAt is { } first && Elapsed(first, now, settings.EscalateAfter))
        {
            return AlertNotificationKind.Escalation;
        }
        if (incident.LastNotifiedAt is null)
        {
            return AlertNotificationKind.Firing;
        }
        return Elapsed(incident.LastNotifiedAt.Value, now, AlertingOptions.RepeatInterval(rule.Severity)) ? AlertNotificationKind.Repeat : null;
    }

    /// <summary>
    /// Whether <paramref name="span"/> has passed since <paramref name="since"/>, give or take the timer's jitter: the evaluation
    /// a minute after another measures a few milliseconds short of it, and would otherwise wait a whole interval more
    /// (measured by bench/alerting: a 1-minute hold took 75 s at the 15-second interval).
    /// </summary>
    private static bool Elapsed(DateTimeOffset since, DateTimeOffset now, TimeSpan span) => now - since + TimerJitter >= span;

    private static readonly TimeSpan TimerJitter = TimeSpan.FromSeconds(1);

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

    [LoggerMessage(EventId = 7133, Level = LogLevel.Error, Message = "The alert evaluator cannot reach the database ({Error}: {Message})")]
    private static partial void LogDatabaseUnreachable(ILogger logger, string error, string message);

    [LoggerMessage(EventId = 7134, Level = LogLevel.Warning, Message = "DatabaseDown notice to {Channel}: {Outcome}")]
    private static partial void LogOutageNotice(ILogger logger, string channel, string outcome);

    [LoggerMessage(EventId = 7135, Level = LogLevel.Information, Message = "The alert evaluator reaches the database again after {Seconds} s")]
    private static partial void LogDatabaseBack(ILogger logger, double seconds);

    [LoggerMessage(EventId = 7130, Level = LogLevel.Information, Message = "Alert {Rule} pending: {Value} over {Threshold}")]
    private static partial void LogPending(ILogger logger, string rule, double value, double threshold);

    [LoggerMessage(EventId = 7131, Level = LogLevel.Warning, Message = "Alert {Rule} ({Severity}) firing: {Value} over {Threshold}")]
    private static partial void LogFiring(ILogger logger, string rule, string severity, double value, double threshold);

    [LoggerMessage(EventId = 7132, Level = LogLevel.Information, Message = "Alert {Rule} resolved: {Reason}")]
    private static partial void LogResolved(ILogger logger, string rule, string reason);
}
