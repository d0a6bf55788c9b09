using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Alerting;
using Shepherd.Data.Audit;
using Shepherd.Platform.Mail;

namespace Shepherd.Operations.Alerting;

public enum AcknowledgeOutcome
{
    Acknowledged,
    AlreadyAcknowledged,

    /// <summary>It is resolved (or was never firing): nothing to acknowledge.</summary>
    NotFiring,
    NotFound,
}

/// <summary>
/// Acknowledging a firing alert (it stops repeating and does not escalate) from the Operations page, the API or the link in a
/// notification. The link carries a data-protected token naming the incident, valid for a week: whoever holds the notification
/// may acknowledge, as with any on-call pager, and nothing else.
/// </summary>
public sealed partial class AlertAcknowledgement(
    ShepherdDbContextFactory contexts,
    IDataProtectionProvider protection,
    AccountEmails links,
    TimeProvider clock,
    ILogger<AlertAcknowledgement> logger)
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromDays(7);
    private const string LinkPath = "/alerts/acknowledge/";

    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("Shepherd.Alerting.Acknowledge").ToTimeLimitedDataProtector();

    /// <summary>The acknowledgement link for an incident, or null when Shepherd:Mail:PublicUrl is not set.</summary>
    public string? Link(long incidentId) => links.Link(LinkPath + Token(incidentId));

    public string Token(long incidentId) =>
        _protector.Protect(incidentId.ToString(CultureInfo.InvariantCulture), clock.GetUtcNow() + LinkLifetime);

    /// <summary>The incident a link's token names, or null when it was not issued here, was altered or has expired.</summary>
    public long? IncidentOf(string token)
    {
        try
        {
            return long.TryParse(_protector.Unprotect(token), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public async Task<AcknowledgeOutcome> AcknowledgeAsync(long incidentId, string by, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        await using var db = contexts.Create(null, AuditActor.System);
        var incident = await db.AlertIncidents.FirstOrDefaultAsync(i => i.Id == incidentId, cancellationToken);
        if (incident is null)
        {
            return AcknowledgeOutcome.NotFound;
        }
        if (incident.Status != AlertStatus.Firing)
        {
            return AcknowledgeOutcome.NotFiring;
        }
        if (incident.AcknowledgedAt is not null)
        {
            return AcknowledgeOutcome.AlreadyAcknowledged;
        }
        incident.AcknowledgedAt = clock.GetUtcNow();
        incident.AcknowledgedBy = by.Length > 300 ? by[..300] : by;
        await db.SaveChangesAsync(cancellationToken);
        LogAcknowledged(logger, incident.RuleName, incident.Id, incident.AcknowledgedBy);
        return AcknowledgeOutcome.Acknowledged;
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Alert {Rule} (incident {IncidentId}) acknowledged by {AcknowledgedBy}")]
    private static partial void LogAcknowledged(ILogger logger, string rule, long incidentId, string acknowledgedBy);
}
