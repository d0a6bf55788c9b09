using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Alerting;
using Shepherd.Data.Audit;

namespace Shepherd.Operations.Alerting.Delivery;

/// <summary>
/// Delivers the queued notifications that are due, oldest first, and retries the failed ones with a growing delay
/// (30 s, 1, 2, 5, 10 min) until the sixth attempt, after which the notification is Failed and a warning logged.
/// The evaluator calls <see cref="DeliverDueAsync"/> on each tick, on the one replica holding its lease.
/// </summary>
public sealed partial class AlertDispatcher(
    ShepherdDbContextFactory contexts,
    AlertChannelSender sender,
    AlertDeliveryMetrics metrics,
    TimeProvider clock,
    ILogger<AlertDispatcher> logger)
{
    /// <summary>Attempts before a notification counts as failed.</summary>
    public const int MaxAttempts = 6;

    /// <summary>Notifications handled per call: the rest wait for the next tick.</summary>
    public const int BatchSize = 50;

    public const string TestSubject = "Shepherd test notification";

    /// <summary>The wait after the n-th failed attempt (1-based); the last delay repeats.</summary>
    public static readonly IReadOnlyList<TimeSpan> Backoff =
        [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10)];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Sends every due notification once; returns how many were sent.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var now = clock.GetUtcNow();
        var due = await db.AlertNotifications.Include(n => n.Channel)
            .Where(n => n.Status == AlertDeliveryStatus.Queued && n.NextAttemptAt <= now)
            .OrderBy(n => n.NextAttemptAt).ThenBy(n => n.Id).Take(BatchSize).ToListAsync(cancellationToken);
        var sent = 0;
        foreach (var notification in due)
        {
            var channel = notification.Channel!;
            if (!channel.Enabled)
            {
                notification.Status = AlertDeliveryStatus.Failed;
                notification.LastError = "channel disabled";
                metrics.Record(channel.Kind, "failed");
            }
            else if (await AttemptAsync(channel, notification, cancellationToken))
            {
                sent++;
            }
            // Saved one by one: a crash after a webhook answered must not send it again on the next tick.
            await db.SaveChangesAsync(cancellationToken);
        }
        return sent;
    }

    /// <summary>
    /// Sends a Test notification to a channel now, once, and records the outcome on it and on the channel; null when there
    /// is no such channel. A disabled channel is tried too: testing it before turning it on is the point.
    /// </summary>
    public async Task<DeliveryResult?> SendTestAsync(long channelId, string requestedBy, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var channel = await db.AlertChannels.FirstOrDefaultAsync(c => c.Id == channelId, cancellationToken);
        if (channel is null)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var notification = new AlertNotification
        {
            ChannelId = channel.Id,
            Channel = channel,
            Kind = AlertNotificationKind.Test,
            Subject = TestSubject,
            Body = $"This is a test of the alert channel \"{channel.Name}\", sent by {requestedBy} at "
                + now.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) + ". If you read this, alerts reach you here.",
            Payload = JsonSerializer.Serialize(new { version = 1, kind = nameof(AlertNotificationKind.Test), sentBy = "shepherd", alerts = Array.Empty<object>() }, Json),
            CreatedAt = now,
            Status = AlertDeliveryStatus.Queued,
            NextAttemptAt = now,
        };
        db.AlertNotifications.Add(notification);
        await db.SaveChangesAsync(cancellationToken);
        var result = await SendOnceAsync(channel, notification, cancellationToken);
        if (!result.Sent)
        {
            // A test is not retried: whoever pressed the button sees the error now.
            notification.Status = AlertDeliveryStatus.Failed;
            metrics.Record(channel.Kind, "failed");
        }
        await db.SaveChangesAsync(cancellationToken);
        return result;
    }

    private async Task<bool> AttemptAsync(AlertChannel channel, AlertNotification notification, CancellationToken cancellationToken)
    {
        var result = await SendOnceAsync(channel, notification, cancellationToken);
        if (result.Sent)
        {
            return true;
        }
        if (notification.Attempts >= MaxAttempts)
        {
            notification.Status = AlertDeliveryStatus.Failed;
            metrics.Record(channel.Kind, "failed");
            LogGaveUp(logger, channel.Name, channel.Kind, Where(channel), notification.Attempts, result.Error);
        }
        else
        {
            notification.NextAttemptAt = clock.GetUtcNow() + Backoff[Math.Min(notification.Attempts, Backoff.Count) - 1];
            metrics.Record(channel.Kind, "retried");
        }
        return false;
    }

    /// <summary>One attempt, its outcome written on the notification and the channel (the caller saves).</summary>
    private async Task<DeliveryResult> SendOnceAsync(AlertChannel channel, AlertNotification notification, CancellationToken cancellationToken)
    {
        var result = await sender.SendAsync(channel, notification, cancellationToken);
        var now = clock.GetUtcNow();
        notification.Attempts++;
        if (result.Sent)
        {
            notification.Status = AlertDeliveryStatus.Sent;
            notification.SentAt = now;
            notification.LastError = null;
            channel.LastSuccessAt = now;
            metrics.Record(channel.Kind, "sent");
        }
        else
        {
            var error = Shorten(result.Error ?? "unknown error");
            notification.LastError = error;
            channel.LastFailureAt = now;
            channel.LastError = error;
        }
        return result;
    }

    /// <summary>What a log line may say about where a channel points: the webhook's host, or "e-mail".</summary>
    private static string Where(AlertChannel channel) => channel.Kind switch
    {
        AlertChannelKind.Email or AlertChannelKind.PlatformAdministrators => "e-mail",
        _ => AlertChannelSender.HostOf(channel.Target),
    };

    private static string Shorten(string error) => error.Length <= 500 ? error : error[..499] + "…";

    [LoggerMessage(EventId = 7112, Level = LogLevel.Warning,
        Message = "Alert notification to channel {Channel} ({Kind}, {Host}) failed after {Attempts} attempts: {Error}")]
    private static partial void LogGaveUp(ILogger logger, string channel, AlertChannelKind kind, string host, int attempts, string? error);
}
