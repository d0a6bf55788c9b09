using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shepherd.Data;
using Shepherd.Data.Alerting;
using Shepherd.Data.Audit;
using Shepherd.Operations.Alerting.Channels;
using Shepherd.Operations.Alerting.Delivery;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Alerting;

public sealed class AlertDeliverySqliteTests(AlertingSqliteApp app) : AlertDeliveryTests<AlertingSqliteApp>(app), IClassFixture<AlertingSqliteApp>;

public sealed class AlertDeliveryPostgresTests(AlertingPostgresApp app) : AlertDeliveryTests<AlertingPostgresApp>(app), IClassFixture<AlertingPostgresApp>;

/// <summary>
/// Queued notifications delivered by the real dispatcher and sender to a real HTTP receiver and SMTP sink, with the
/// dispatcher's clock in the test's hands so the retry delays pass without waiting.
/// </summary>
public abstract class AlertDeliveryTests<TApp>(TApp app) where TApp : ShepherdApp, IMailSink
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    // Whole seconds: PostgreSQL keeps microseconds, and the test compares stored times exactly.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds()));

    private AlertDispatcher Dispatcher()
    {
        var sender = ActivatorUtilities.CreateInstance<AlertChannelSender>(app.Services, (TimeProvider)_clock);
        return ActivatorUtilities.CreateInstance<AlertDispatcher>(app.Services, sender, (TimeProvider)_clock);
    }

    [Fact]
    public async Task A_webhook_arrives_signed_with_the_channels_secret_and_a_tampered_body_fails_verification()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var channel = await CreateAsync(AlertChannelKind.Webhook, receiver.Url("/hooks/shepherd?token=abc"));
        var secret = channel.Secret.ShouldNotBeNull();
        var payload = """{"version":1,"kind":"Firing","sentBy":"shepherd","alerts":[{"rule":"HighErrorRate","severity":"P0","status":"firing"}]}""";
        var id = await QueueAsync(channel.Id, payload);

        (await Dispatcher().DeliverDueAsync(Cancel)).ShouldBe(1);

        var request = receiver.Received.ShouldHaveSingleItem();
        request.Path.ShouldBe("/hooks/shepherd?token=abc");
        request.ContentType.ShouldStartWith("application/json");
        request.Body.ShouldBe(payload);
        request.Headers["X-Shepherd-Event"].ShouldBe("Firing");
        var timestamp = long.Parse(request.Headers["X-Shepherd-Timestamp"], System.Globalization.CultureInfo.InvariantCulture);
        timestamp.ShouldBe(_clock.GetUtcNow().ToUnixTimeSeconds());
        var signature = request.Headers["X-Shepherd-Signature"];
        signature.ShouldBe(Signature(secret, timestamp, request.Body));
        signature.ShouldNotBe(Signature(secret, timestamp, request.Body.Replace("P0", "P3", StringComparison.Ordinal)));
        signature.ShouldNotBe(Signature(secret + "x", timestamp, request.Body));
        var row = await NotificationAsync(id);
        row.Status.ShouldBe(AlertDeliveryStatus.Sent);
        row.SentAt.ShouldBe(_clock.GetUtcNow());
        row.Attempts.ShouldBe(1);
        (await ChannelAsync(channel.Id)).LastSuccessAt.ShouldBe(_clock.GetUtcNow());
    }

    [Fact]
    public async Task Slack_Teams_and_Discord_get_the_bodies_their_incoming_webhooks_accept()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var slack = await CreateAsync(AlertChannelKind.Slack, receiver.Url("/slack/T0/B0/secret"));
        var teams = await CreateAsync(AlertChannelKind.Teams, receiver.Url("/teams/secret"));
        var discord = await CreateAsync(AlertChannelKind.Discord, receiver.Url("/discord/1/secret"));
        var longBody = "Line one\nLine two\n" + new string('x', 3000);
        await QueueAsync(slack.Id, "{}", "Disk almost full", "Line one\nLine two");
        await QueueAsync(teams.Id, "{}", "Disk almost full", "Line one\nLine two");
        await QueueAsync(discord.Id, "{}", "Disk almost full", longBody);

        (await Dispatcher().DeliverDueAsync(Cancel)).ShouldBe(3);

        var bodies = receiver.Received.ToDictionary(r => r.Path.Split('/')[1], r => JsonNode.Parse(r.Body)!.AsObject());
        bodies["slack"]["text"]!.GetValue<string>().ShouldBe("Disk almost full\nLine one\nLine two");
        bodies["teams"]["@type"]!.GetValue<string>().ShouldBe("MessageCard");
        bodies["teams"]["@context"]!.GetValue<string>().ShouldBe("https://schema.org/extensions");
        bodies["teams"]["summary"]!.GetValue<string>().ShouldBe("Disk almost full");
        bodies["teams"]["title"]!.GetValue<string>().ShouldBe("Disk almost full");
        bodies["teams"]["text"]!.GetValue<string>().ShouldBe("Line one  \nLine two");
        var content = bodies["discord"]["content"]!.GetValue<string>();
        content.Length.ShouldBe(2000);
        content.ShouldStartWith("**Disk almost full**\nLine one\nLine two\nxxx");
        content.ShouldEndWith("…");
        receiver.Received.ShouldAllBe(r => !r.Headers.ContainsKey("X-Shepherd-Signature"));
    }

    [Fact]
    public async Task A_failing_webhook_is_retried_after_the_backoff_and_delivered_on_the_third_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailFirst = 2;
        var channel = await CreateAsync(AlertChannelKind.Slack, receiver.Url("/slack/T1/B1/secret"));
        var id = await QueueAsync(channel.Id, "{}");
        var dispatcher = Dispatcher();
        using var retried = new CounterReading(app.Services, AlertDeliveryMetrics.MeterName, AlertDeliveryMetrics.NotificationsName,
            ("channel.kind", "Slack"), ("outcome", "retried"));

        (await dispatcher.DeliverDueAsync(Cancel)).ShouldBe(0);
        var first = await NotificationAsync(id);
        first.Status.ShouldBe(AlertDeliveryStatus.Queued);
        first.Attempts.ShouldBe(1);
        first.LastError.ShouldNotBeNull().ShouldContain("500");
        first.NextAttemptAt.ShouldBe(_clock.GetUtcNow() + TimeSpan.FromSeconds(30));
        var failing = await ChannelAsync(channel.Id);
        failing.LastFailureAt.ShouldBe(_clock.GetUtcNow());
        failing.LastError.ShouldNotBeNull().ShouldContain("127.0.0.1 answered 500");
        failing.LastError.ShouldNotContain("secret");

        _clock.Advance(TimeSpan.FromSeconds(29));
        (await dispatcher.DeliverDueAsync(Cancel)).ShouldBe(0);
        receiver.Received.Count.ShouldBe(1, "not due before its 30 s delay");

        _clock.Advance(TimeSpan.FromSeconds(1));
        (await dispatcher.DeliverDueAsync(Cancel)).ShouldBe(0);
        (await NotificationAsync(id)).NextAttemptAt.ShouldBe(_clock.GetUtcNow() + TimeSpan.FromMinutes(1));

        _clock.Advance(TimeSpan.FromMinutes(1));
        (await dispatcher.DeliverDueAsync(Cancel)).ShouldBe(1);

        receiver.Received.Count.ShouldBe(3);
        var sent = await NotificationAsync(id);
        sent.Status.ShouldBe(AlertDeliveryStatus.Sent);
        sent.Attempts.ShouldBe(3);
        sent.LastError.ShouldBeNull();
        (await ChannelAsync(channel.Id)).LastSuccessAt.ShouldBe(_clock.GetUtcNow());
        retried.Value.ShouldBe(2);
    }

    [Fact]
    public async Task After_six_failed_attempts_the_notification_is_failed_and_the_channel_shows_the_error()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailFirst = int.MaxValue;
        var channel = await CreateAsync(AlertChannelKind.Webhook, receiver.Url("/down"));
        var id = await QueueAsync(channel.Id, "{}");
        var dispatcher = Dispatcher();
        TimeSpan[] delays = [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10)];

        for (var attempt = 1; attempt <= 6; attempt++)
        {
            (await dispatcher.DeliverDueAsync(Cancel)).ShouldBe(0);
            var row = await NotificationAsync(id);
            row.Attempts.ShouldBe(attempt);
            if (attempt < 6)
            {
                row.Status.ShouldBe(AlertDeliveryStatus.Queued);
                row.NextAttemptAt.ShouldBe(_clock.GetUtcNow() + delays[attempt - 1]);
                _clock.Advance(delays[attempt - 1]);
            }
        }

        var failed = await NotificationAsync(id);
        failed.Status.ShouldBe(AlertDeliveryStatus.Failed);
        failed.LastError.ShouldNotBeNull().ShouldContain("500");
        var shown = await ChannelAsync(channel.Id);
        shown.LastError.ShouldBe(failed.LastError);
        shown.LastFailureAt.ShouldBe(_clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromHours(1));
        (await dispatcher.DeliverDueAsync(Cancel)).ShouldBe(0);
        receiver.Received.Count.ShouldBe(6, "a failed notification is not tried again");
    }

    [Fact]
    public async Task A_disabled_channels_queued_notifications_fail_with_channel_disabled_and_nothing_is_sent()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var channel = await CreateAsync(AlertChannelKind.Discord, receiver.Url("/discord/2/secret"), enabled: false);
        var id = await QueueAsync(channel.Id, "{}");

        (await Dispatcher().DeliverDueAsync(Cancel)).ShouldBe(0);

        var row = await NotificationAsync(id);
        row.Status.ShouldBe(AlertDeliveryStatus.Failed);
        row.LastError.ShouldBe("channel disabled");
        receiver.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_email_channel_sends_the_subject_and_body_to_each_address()
    {
        var (first, second) = ($"{Guid.NewGuid():N}@example.org", $"{Guid.NewGuid():N}@example.org");
        var channel = await CreateAsync(AlertChannelKind.Email, $"{first}, {second}");
        var id = await QueueAsync(channel.Id, "{}", "[P1] Backups are stale", "The newest backup is 27 h old.\nRunbook: docs/runbooks/BackupStale.md");

        (await Dispatcher().DeliverDueAsync(Cancel)).ShouldBe(1);

        foreach (var address in new[] { first, second })
        {
            var message = app.Smtp.To(address).ShouldHaveSingleItem();
            message.Subject.ShouldBe("[P1] Backups are stale");
            message.TextBody.ShouldNotBeNull().ShouldContain("The newest backup is 27 h old.");
            message.TextBody!.ShouldContain("Runbook: docs/runbooks/BackupStale.md");
        }
        (await NotificationAsync(id)).Status.ShouldBe(AlertDeliveryStatus.Sent);
    }

    [Fact]
    public async Task The_platform_administrators_channel_mails_every_platform_administrator_and_nobody_else()
    {
        using var platform = await app.NewOrganizationAsync(platformAdministrator: true, cancellationToken: Cancel);
        using var churchAdmin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var channel = await CreateAsync(AlertChannelKind.PlatformAdministrators, "");
        await QueueAsync(channel.Id, "{}", "[P0] Shepherd is down", "Every request fails.");

        (await Dispatcher().DeliverDueAsync(Cancel)).ShouldBe(1);

        app.Smtp.To(platform.AdminEmail).ShouldHaveSingleItem().Subject.ShouldBe("[P0] Shepherd is down");
        app.Smtp.To(churchAdmin.AdminEmail).ShouldBeEmpty();
    }

    private static string Signature(string secret, long timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    private async Task<AlertChannelResponse> CreateAsync(AlertChannelKind kind, string target, bool enabled = true)
    {
        var outcome = await app.Services.GetRequiredService<AlertChannelEditor>().CreateAsync(
            new($"{kind} {Guid.NewGuid():N}", kind.ToString(), target, "P3", false, enabled, null), "tests", Cancel);
        return outcome.Channel.ShouldNotBeNull(string.Join("; ", outcome.Errors?.SelectMany(e => e.Value) ?? [outcome.Conflict ?? ""]));
    }

    private async Task<long> QueueAsync(long channelId, string payload, string subject = "[P0] Something fired", string body = "Details.")
    {
        await using var db = Database();
        var notification = new AlertNotification
        {
            ChannelId = channelId,
            Kind = AlertNotificationKind.Firing,
            Subject = subject,
            Body = body,
            Payload = payload,
            CreatedAt = _clock.GetUtcNow(),
            Status = AlertDeliveryStatus.Queued,
            NextAttemptAt = _clock.GetUtcNow(),
        };
        db.AlertNotifications.Add(notification);
        await db.SaveChangesAsync(Cancel);
        return notification.Id;
    }

    private async Task<AlertNotification> NotificationAsync(long id)
    {
        await using var db = Database();
        return await db.AlertNotifications.AsNoTracking().SingleAsync(n => n.Id == id, Cancel);
    }

    private async Task<AlertChannel> ChannelAsync(long id)
    {
        await using var db = Database();
        return await db.AlertChannels.AsNoTracking().SingleAsync(c => c.Id == id, Cancel);
    }

    private ShepherdDbContext Database() => app.Services.GetRequiredService<ShepherdDbContextFactory>().Create(null, AuditActor.System);
}
