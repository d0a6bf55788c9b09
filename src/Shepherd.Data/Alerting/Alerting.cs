namespace Shepherd.Data.Alerting;

// Alerting is the instance's, not an organization's: none of these rows is tenant-owned, and only platform
// administrators (or a monitoring token, for reading) reach them.

/// <summary>How urgent an alert is: P0 wakes someone now, P3 waits for the daily digest.</summary>
public enum AlertSeverity
{
    /// <summary>Critical: the service is down or failing for many; repeat every 5 minutes until acknowledged.</summary>
    P0,

    /// <summary>High: users are affected or soon will be; repeat every 30 minutes.</summary>
    P1,

    /// <summary>Warning: something needs attention today; repeat every 4 hours.</summary>
    P2,

    /// <summary>Information: worth knowing; daily digest.</summary>
    P3,
}

public enum AlertStatus
{
    /// <summary>The condition holds but not yet for the rule's for-duration: nobody is told.</summary>
    Pending,

    /// <summary>The condition has held for the for-duration: notifications go out (unless silenced).</summary>
    Firing,

    /// <summary>The condition stopped holding after firing: a recovery notice went to whoever was told.</summary>
    Resolved,
}

/// <summary>An administrator's change to a catalogue rule: another threshold, or the rule turned off.</summary>
public sealed class AlertRuleSetting
{
    public required string RuleName { get; set; }

    /// <summary>Replaces the catalogue's threshold; null keeps the catalogue's.</summary>
    public double? Threshold { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTimeOffset UpdatedAt { get; set; }

    public required string UpdatedBy { get; set; }
}

/// <summary>
/// One occurrence of a rule's condition, from pending to resolved. At most one is open (pending or firing) per rule:
/// that is the de-duplication. A pending incident that clears before firing is deleted; everything that fired is history.
/// </summary>
public sealed class AlertIncident
{
    public long Id { get; set; }

    public required string RuleName { get; set; }

    public AlertSeverity Severity { get; set; }

    public AlertStatus Status { get; set; }

    /// <summary>The rule's summary when it fired (the catalogue may change later).</summary>
    public required string Summary { get; set; }

    /// <summary>The threshold in force when the incident opened.</summary>
    public double Threshold { get; set; }

    /// <summary>The latest measured value while open; the last one before resolution afterwards.</summary>
    public double Value { get; set; }

    /// <summary>The worst value measured while open.</summary>
    public double PeakValue { get; set; }

    public DateTimeOffset PendingSince { get; set; }

    public DateTimeOffset? FiredAt { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }

    /// <summary>When the first notice was queued: escalation counts from it, so time spent muted does not count.</summary>
    public DateTimeOffset? FirstNotifiedAt { get; set; }

    /// <summary>When the last firing, repeat or escalation notice was queued; null while none was (silenced, or not yet).</summary>
    public DateTimeOffset? LastNotifiedAt { get; set; }

    public int NotificationCount { get; set; }

    public DateTimeOffset? AcknowledgedAt { get; set; }

    /// <summary>Who acknowledged: a user's e-mail, a token's name, or "link in a notification".</summary>
    public string? AcknowledgedBy { get; set; }

    /// <summary>When an unacknowledged P0 went to the escalation contacts.</summary>
    public DateTimeOffset? EscalatedAt { get; set; }

    /// <summary>What muted it at the last evaluation (a silence or a maintenance window); null when nothing did.</summary>
    public string? SuppressedBy { get; set; }

    /// <summary>When its P3 information went out in a daily digest.</summary>
    public DateTimeOffset? DigestedAt { get; set; }
}

public enum AlertChannelKind
{
    /// <summary>E-mail through the server's SMTP settings (Shepherd:Mail) to the addresses in the target.</summary>
    Email,

    /// <summary>A Slack incoming webhook URL.</summary>
    Slack,

    /// <summary>A Microsoft Teams incoming webhook (or workflow) URL.</summary>
    Teams,

    /// <summary>A Discord webhook URL.</summary>
    Discord,

    /// <summary>Any HTTPS endpoint: JSON signed with HMAC-SHA256 over the timestamp and the body.</summary>
    Webhook,

    /// <summary>
    /// E-mail to every platform administrator, whose addresses are read when sending (the target is empty). The evaluator
    /// creates this channel when there is none at all, so a new installation tells someone without any set-up.
    /// </summary>
    PlatformAdministrators,
}

/// <summary>Where notifications go. The first contacts get every notice; escalation contacts get P0s nobody acknowledged.</summary>
public sealed class AlertChannel
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public AlertChannelKind Kind { get; set; }

    /// <summary>E-mail addresses separated by commas, or the webhook URL.</summary>
    public required string Target { get; set; }

    /// <summary>The generic webhook's signing secret, encrypted with the server's data protection keys.</summary>
    public string? ProtectedSecret { get; set; }

    /// <summary>The least urgent severity sent here (P3: everything; P0: only the critical).</summary>
    public AlertSeverity MinimumSeverity { get; set; } = AlertSeverity.P3;

    /// <summary>An escalation contact: told only when a P0 stays unacknowledged.</summary>
    public bool Escalation { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset? LastSuccessAt { get; set; }

    public DateTimeOffset? LastFailureAt { get; set; }

    public string? LastError { get; set; }
}

/// <summary>Mutes the alerts whose label equals a value (alertname, severity or area) from a start to an end, with a reason.</summary>
public sealed class AlertSilence
{
    public long Id { get; set; }

    /// <summary><c>alertname</c>, <c>severity</c> or <c>area</c>.</summary>
    public required string Label { get; set; }

    public required string Value { get; set; }

    public required string Reason { get; set; }

    public DateTimeOffset StartsAt { get; set; }

    /// <summary>When it stops muting; set to the moment it was lifted when someone ends it early.</summary>
    public DateTimeOffset EndsAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }
}

/// <summary>A weekly recurring time (e.g. Sundays 02:00–04:00 in the church's zone) that mutes the chosen severities.</summary>
public sealed class AlertMaintenanceWindow
{
    public long Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The days it starts on, as three-letter English names separated by commas ("Mon,Tue"); empty is every day.</summary>
    public string Days { get; set; } = "";

    /// <summary>Local start time in <see cref="TimeZone"/>.</summary>
    public TimeOnly Start { get; set; }

    public int DurationMinutes { get; set; }

    /// <summary>IANA time zone id.</summary>
    public required string TimeZone { get; set; }

    /// <summary>The severities it mutes, separated by commas ("P2,P3").</summary>
    public required string Severities { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }
}

public enum AlertNotificationKind
{
    Firing,
    Repeat,
    Escalation,
    Resolved,
    Digest,
    Test,
}

public enum AlertDeliveryStatus
{
    /// <summary>Waiting for its first attempt or for the next retry.</summary>
    Queued,

    Sent,

    /// <summary>Every attempt failed; the last error is kept.</summary>
    Failed,
}

/// <summary>
/// One message to one channel, queued by the evaluator and delivered (with retries) by the dispatcher. The text is
/// written when it is queued, so what was sent is what the history shows; alerts that fire together share one message.
/// </summary>
public sealed class AlertNotification
{
    public long Id { get; set; }

    public long ChannelId { get; set; }

    public AlertChannel? Channel { get; set; }

    public AlertNotificationKind Kind { get; set; }

    public required string Subject { get; set; }

    /// <summary>Plain text for e-mail and chat.</summary>
    public required string Body { get; set; }

    /// <summary>The alerts as JSON, for the generic webhook.</summary>
    public required string Payload { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public AlertDeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public string? LastError { get; set; }

    public List<AlertIncident> Incidents { get; } = [];
}

/// <summary>
/// The one row that makes the built-in evaluator run once per replica set: a replica evaluates only while it holds the lease
/// (taken when free or expired, renewed at each evaluation).
/// </summary>
public sealed class AlertEvaluatorLease
{
    public int Id { get; set; }

    /// <summary>The replica holding it (host name and process id).</summary>
    public string? Holder { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? LastEvaluatedAt { get; set; }

    /// <summary>When the last daily digest of P3 alerts was considered.</summary>
    public DateTimeOffset? LastDigestAt { get; set; }
}
