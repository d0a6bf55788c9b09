using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Alerting;
using Shepherd.Operations.Alerting;
using Shepherd.Operations.Alerting.Delivery;
using Shepherd.Platform.Security;
using Shepherd.Tests.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Alerting;

public sealed class AlertEvaluatorSqliteTests : AlertEvaluatorTests<SqliteApp>;

public sealed class AlertEvaluatorPostgresTests : AlertEvaluatorTests<PostgresApp>;

/// <summary>
/// The built-in evaluator on a real database with an injected error spike and the clock under the test's control: pending,
/// firing after the for-duration, one notification however many replicas evaluate, repeats, escalation, silences,
/// maintenance windows, the daily digest and the recovery notice.
/// </summary>
public abstract class AlertEvaluatorTests<TApp> where TApp : ShepherdApp, new()
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_error_spike_goes_pending_then_fires_once_across_replicas_repeats_after_five_minutes_and_sends_a_recovery_notice()
    {
        await using var scenario = await AlertScenario.StartAsync<TApp>(faultFor: TimeSpan.FromMinutes(9));
        var second = await scenario.AddReplicaAsync();

        (await scenario.StepAsync(TimeSpan.Zero)).ShouldBe(new EvaluationResult(true, 0, 0, 0, 0), "healthy traffic before the fault");

        // The fault starts: the 2-minute error ratio is over 10 % at once, but the rule must hold for a minute.
        await scenario.StepAsync(TimeSpan.FromMinutes(1));
        var pending = await scenario.IncidentAsync("CriticalErrorRate");
        pending.ShouldNotBeNull().Status.ShouldBe(AlertStatus.Pending);
        pending.PendingSince.ShouldBe(AlertScenario.FaultFrom);
        pending.Value.ShouldBe(0.5, "the window holds the 20 good requests of a minute ago and the 20 failed ones");
        await scenario.StepAsync(Step);
        (await scenario.IncidentAsync("CriticalErrorRate"))!.Status.ShouldBe(AlertStatus.Pending);
        (await scenario.NotificationsAsync("CriticalErrorRate")).ShouldBeEmpty();

        await scenario.StepAsync(Step);
        var firing = await scenario.IncidentAsync("CriticalErrorRate");
        firing.ShouldNotBeNull().Status.ShouldBe(AlertStatus.Firing);
        firing.FiredAt.ShouldBe(AlertScenario.FaultFrom + TimeSpan.FromMinutes(1));
        var first = (await scenario.NotificationsAsync("CriticalErrorRate")).ShouldHaveSingleItem();
        first.Kind.ShouldBe(AlertNotificationKind.Firing);
        first.Channel!.Kind.ShouldBe(AlertChannelKind.PlatformAdministrators, "a new installation tells its platform administrators");
        first.Subject.ShouldBe("Shepherd [P0 FIRING] More than 10 % of requests fail");
        first.Body.ShouldContain("Measured: 100 % (threshold 10 %)");
        first.Body.ShouldContain("docs/runbooks/CriticalErrorRate.md");
        first.Payload.ShouldContain("\"rule\":\"CriticalErrorRate\"");

        // Both replicas evaluate at every step, and evaluating again changes nothing: one notice, one incident.
        await scenario.StepAsync(TimeSpan.Zero);
        await scenario.Evaluator(second).EvaluateAsync(CancellationToken.None);
        (await scenario.NotificationsAsync("CriticalErrorRate")).Count.ShouldBe(1);
        await using (var db = scenario.Database())
        {
            (await db.AlertIncidents.CountAsync(i => i.RuleName == "CriticalErrorRate")).ShouldBe(1);
        }

        // Not acknowledged: repeated five minutes after the first notice, not before.
        await scenario.RunUntilAsync(firing.FiredAt!.Value + TimeSpan.FromMinutes(4.5), Step);
        (await scenario.NotificationsAsync("CriticalErrorRate")).Count.ShouldBe(1);
        await scenario.StepAsync(Step);
        var notices = await scenario.NotificationsAsync("CriticalErrorRate");
        notices.Select(n => n.Kind).ShouldBe([AlertNotificationKind.Firing, AlertNotificationKind.Repeat]);
        notices[1].Subject.ShouldBe("Shepherd [P0 FIRING, notice 2] More than 10 % of requests fail");

        // The fault stops; once the 2-minute window holds no failures the alert resolves and a recovery notice goes out.
        await scenario.RunUntilAsync(scenario.FaultUntil + TimeSpan.FromMinutes(3), Step);
        var resolved = await scenario.IncidentAsync("CriticalErrorRate");
        resolved!.Status.ShouldBe(AlertStatus.Resolved);
        resolved.ResolvedAt.ShouldNotBeNull().ShouldBeGreaterThan(scenario.FaultUntil);
        resolved.ResolvedAt.Value.ShouldBeLessThanOrEqualTo(scenario.FaultUntil + TimeSpan.FromMinutes(2.5));
        resolved.NotificationCount.ShouldBe(2);
        var recovery = (await scenario.NotificationsAsync("CriticalErrorRate")).Last();
        recovery.Kind.ShouldBe(AlertNotificationKind.Resolved);
        recovery.Subject.ShouldBe("Shepherd [P0 RESOLVED] More than 10 % of requests fail");
        recovery.Body.ShouldNotContain("Acknowledge", Case.Sensitive);
    }

    [Fact]
    public async Task An_evaluation_a_few_milliseconds_short_of_the_hold_still_fires_instead_of_waiting_a_whole_interval()
    {
        await using var scenario = await AlertScenario.StartAsync<TApp>(faultFor: TimeSpan.FromMinutes(5));
        await scenario.StepAsync(TimeSpan.Zero);
        await scenario.StepAsync(TimeSpan.FromMinutes(1));
        (await scenario.IncidentAsync("CriticalErrorRate"))!.Status.ShouldBe(AlertStatus.Pending);

        // A timer due a minute later runs a little early or late; 40 ms short of the hold is the same evaluation.
        await scenario.StepAsync(TimeSpan.FromMinutes(1) - TimeSpan.FromMilliseconds(40));
        var incident = await scenario.IncidentAsync("CriticalErrorRate");
        incident!.Status.ShouldBe(AlertStatus.Firing);
        (await scenario.NotificationsAsync("CriticalErrorRate")).ShouldHaveSingleItem().Kind.ShouldBe(AlertNotificationKind.Firing);
    }

    [Fact]
    public async Task A_condition_that_has_held_for_well_under_its_duration_stays_pending()
    {
        await using var scenario = await AlertScenario.StartAsync<TApp>(faultFor: TimeSpan.FromMinutes(5));
        await scenario.StepAsync(TimeSpan.Zero);
        await scenario.StepAsync(TimeSpan.FromMinutes(1));
        await scenario.StepAsync(TimeSpan.FromSeconds(55));
        (await scenario.IncidentAsync("CriticalErrorRate"))!.Status.ShouldBe(AlertStatus.Pending, "5 s short is a real difference, not jitter");
        (await scenario.NotificationsAsync("CriticalErrorRate")).ShouldBeEmpty();
    }

    [Fact]
    public async Task The_alert_and_the_recovery_reach_a_real_mail_server_and_a_signed_webhook_reaches_its_receiver()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var scenario = await AlertScenario.StartAsync<TApp>(faultFor: TimeSpan.FromMinutes(3), configure: app =>
        {
            foreach (var (key, value) in smtp.ShepherdSettings)
            {
                app.With(key, value);
            }
        });
        scenario.Deliver = true;
        var secret = WebhookSecrets.Generate();
        await scenario.AddAsync(new AlertChannel { Name = "on call", Kind = AlertChannelKind.Email, Target = "oncall@example.org", MinimumSeverity = AlertSeverity.P0, CreatedBy = "tests" });
        await scenario.AddAsync(new AlertChannel
        {
            Name = "pager",
            Kind = AlertChannelKind.Webhook,
            Target = receiver.Url("/hooks/shepherd"),
            MinimumSeverity = AlertSeverity.P0,
            CreatedBy = "tests",
            ProtectedSecret = scenario.App.Services.GetRequiredService<WebhookSecrets>().Protect(secret),
        });

        await scenario.RunUntilAsync(AlertScenario.FaultFrom + TimeSpan.FromMinutes(2.5), Step);

        // CriticalErrorRate holds for a minute, the fast burn for two: two messages, one per rule.
        smtp.To("oncall@example.org").Select(m => m.Subject).ShouldBe(
            ["Shepherd [P0 FIRING] More than 10 % of requests fail", "Shepherd [P0 FIRING] The error budget burns 14.4 times too fast"]);
        var alert = smtp.To("oncall@example.org")[0];
        alert.Subject.ShouldBe("Shepherd [P0 FIRING] More than 10 % of requests fail");
        var text = alert.TextBody.ShouldNotBeNull();
        text.ShouldContain("CriticalErrorRate (P0, availability): FIRING");
        // 60 failed of 80 in the 2-minute window (the 20 before the fault are still in it).
        text.ShouldContain("75 % of requests to Shepherd answered 5xx over the last 2 minutes (threshold 10 %).");
        text.ShouldContain("Measured: 75 % (threshold 10 %)");
        text.ShouldContain("Runbook: docs/runbooks/CriticalErrorRate.md");
        text.ShouldContain("Acknowledge (stops the repeats and the escalation): https://shepherd.church.example/alerts/acknowledge/");
        var hooks = receiver.Received.Where(r => r.Headers["X-Shepherd-Event"] == "Firing").ToList();
        var hook = hooks.First();
        hook.Headers["X-Shepherd-Signature"].ShouldBe(WebhookSecrets.Sign(secret, long.Parse(hook.Headers["X-Shepherd-Timestamp"], CultureInfo.InvariantCulture), hook.Body));
        using (var payload = JsonDocument.Parse(hook.Body))
        {
            var first = payload.RootElement.GetProperty("alerts")[0];
            first.GetProperty("rule").GetString().ShouldBe("CriticalErrorRate");
            first.GetProperty("status").GetString().ShouldBe("firing");
            first.GetProperty("acknowledgeUrl").GetString().ShouldStartWith("https://shepherd.church.example/alerts/acknowledge/");
        }

        // The fault stops: the recovery notice goes to the same people.
        await scenario.RunUntilAsync(scenario.FaultUntil + TimeSpan.FromMinutes(3), Step);
        var recovery = smtp.To("oncall@example.org")[^1];
        recovery.Subject.ShouldStartWith("Shepherd [");
        recovery.Subject.ShouldContain("RESOLVED");
        recovery.TextBody.ShouldNotBeNull().ShouldContain("CriticalErrorRate (P0, availability): RESOLVED");
        receiver.Received.ShouldContain(r => r.Headers["X-Shepherd-Event"] == "Resolved");
        await using var db = scenario.Database();
        (await db.AlertNotifications.CountAsync(n => n.Status != AlertDeliveryStatus.Sent)).ShouldBe(0);
    }

    [Fact]
    public async Task A_replica_takes_over_when_the_lease_holder_stops_and_does_not_notify_again()
    {
        await using var scenario = await AlertScenario.StartAsync<TApp>();
        var second = await scenario.AddReplicaAsync();
        await scenario.RunUntilAsync(AlertScenario.FaultFrom + TimeSpan.FromMinutes(1.5), Step);
        (await scenario.NotificationsAsync("CriticalErrorRate")).Count.ShouldBe(1);

        await scenario.Evaluator(scenario.App).ReleaseLeaseAsync(CancellationToken.None);
        await scenario.TrafficAsync();
        (await scenario.Evaluator(second).EvaluateAsync(CancellationToken.None)).Leader.ShouldBeTrue();
        (await scenario.Evaluator(scenario.App).EvaluateAsync(CancellationToken.None)).Leader.ShouldBeFalse("the lease is the second replica's now");
        (await scenario.NotificationsAsync("CriticalErrorRate")).Count.ShouldBe(1, "the incident and its notice are in the database, not in the old leader");
        await using var db = scenario.Database();
        (await db.AlertEvaluatorLeases.SingleAsync()).Holder.ShouldBe(scenario.Evaluator(second).Holder);
    }

    [Fact]
    public async Task A_silence_mutes_only_its_rule_and_the_alert_is_sent_once_the_silence_ends()
    {
        await using var scenario = await AlertScenario.StartAsync<TApp>();
        var silenceEnds = AlertScenario.FaultFrom + TimeSpan.FromMinutes(8);
        await scenario.AddAsync(new AlertSilence
        {
            Label = "alertname",
            Value = "CriticalErrorRate",
            Reason = "known outage of the campus list",
            StartsAt = AlertScenario.Start,
            EndsAt = silenceEnds,
            CreatedBy = "tests",
        });

        await scenario.RunUntilAsync(AlertScenario.FaultFrom + TimeSpan.FromMinutes(6), Step);
        var silenced = await scenario.IncidentAsync("CriticalErrorRate");
        silenced!.Status.ShouldBe(AlertStatus.Firing);
        silenced.SuppressedBy.ShouldStartWith("silence ");
        silenced.SuppressedBy.ShouldEndWith(": known outage of the campus list");
        (await scenario.NotificationsAsync("CriticalErrorRate")).ShouldBeEmpty();
        (await scenario.NotificationsAsync("HighErrorRate")).ShouldHaveSingleItem("the silence names one rule; its P1 twin is told");

        await scenario.RunUntilAsync(silenceEnds + Step, Step);
        var notice = (await scenario.NotificationsAsync("CriticalErrorRate")).ShouldHaveSingleItem();
        notice.Kind.ShouldBe(AlertNotificationKind.Firing);
        (await scenario.IncidentAsync("CriticalErrorRate"))!.SuppressedBy.ShouldBeNull();
    }

    [Fact]
    public async Task A_maintenance_window_mutes_the_severities_it_names_while_it_is_open()
    {
        await using var scenario = await AlertScenario.StartAsync<TApp>();
        // Sundays 11:30–12:30 UTC, muting the critical alerts only.
        await scenario.AddAsync(new AlertMaintenanceWindow
        {
            Name = "Sunday upgrade",
            Days = "Sun",
            Start = new TimeOnly(11, 30),
            DurationMinutes = 60,
            TimeZone = "UTC",
            Severities = "P0",
            CreatedBy = "tests",
        });

        await scenario.RunUntilAsync(AlertScenario.FaultFrom + TimeSpan.FromMinutes(6), Step);
        (await scenario.IncidentAsync("CriticalErrorRate"))!.SuppressedBy.ShouldBe("maintenance window Sunday upgrade");
        (await scenario.NotificationsAsync("CriticalErrorRate")).ShouldBeEmpty();
        (await scenario.NotificationsAsync("ErrorBudgetFastBurn")).ShouldBeEmpty();
        (await scenario.NotificationsAsync("HighErrorRate")).ShouldHaveSingleItem("P1 is not in the window");

        // 12:30: the window closes and the critical alerts go out, together in one message per channel.
        await scenario.RunUntilAsync(new DateTimeOffset(2026, 11, 22, 12, 30, 30, TimeSpan.Zero), Step);
        var notice = (await scenario.NotificationsAsync("CriticalErrorRate")).ShouldHaveSingleItem();
        notice.Incidents.Select(i => i.RuleName).Order().ShouldBe(["CriticalErrorRate", "ErrorBudgetFastBurn"]);
        notice.Subject.ShouldBe("Shepherd [FIRING] 2 alerts: CriticalErrorRate, ErrorBudgetFastBurn");
    }

    [Fact]
    public async Task An_unacknowledged_critical_alert_escalates_after_15_minutes_to_the_escalation_contacts_and_an_acknowledged_one_does_not()
    {
        await using var scenario = await AlertScenario.StartAsync<TApp>();
        await scenario.AddAsync(new AlertChannel { Name = "on call", Kind = AlertChannelKind.Email, Target = "oncall@example.org", CreatedBy = "tests" });
        await scenario.AddAsync(new AlertChannel
        {
            Name = "pastor",
            Kind = AlertChannelKind.Email,
            Target = "pastor@example.org",
            Escalation = true,
            CreatedBy = "tests",
        });

        await scenario.RunUntilAsync(AlertScenario.FaultFrom + TimeSpan.FromMinutes(2.5), Step);
        var critical = await scenario.IncidentAsync("CriticalErrorRate");
        var burn = await scenario.IncidentAsync("ErrorBudgetFastBurn");
        burn!.Status.ShouldBe(AlertStatus.Firing);
        var outcome = await scenario.App.Services.GetRequiredService<AlertAcknowledgement>()
            .AcknowledgeAsync(burn.Id, "oncall@example.org", CancellationToken.None);
        outcome.ShouldBe(AcknowledgeOutcome.Acknowledged);

        await scenario.RunUntilAsync(critical!.FirstNotifiedAt!.Value + TimeSpan.FromMinutes(14.5), Step);
        (await scenario.NotificationsAsync("CriticalErrorRate")).ShouldAllBe(n => n.Channel!.Name == "on call");
        await scenario.StepAsync(Step);

        var notices = await scenario.NotificationsAsync("CriticalErrorRate");
        var escalation = notices.Where(n => n.Kind == AlertNotificationKind.Escalation).ShouldHaveSingleItem();
        escalation.Channel!.Name.ShouldBe("pastor");
        escalation.Subject.ShouldBe("Shepherd [P0 ESCALATED] More than 10 % of requests fail");
        escalation.Body.ShouldContain("/alerts/acknowledge/", Case.Sensitive);
        notices.Count(n => n.Kind == AlertNotificationKind.Repeat).ShouldBe(2, "every 5 minutes to the first contacts until then");

        var acknowledged = await scenario.NotificationsAsync("ErrorBudgetFastBurn");
        acknowledged.ShouldHaveSingleItem("acknowledged: no repeats and no escalation").Kind.ShouldBe(AlertNotificationKind.Firing);
        (await scenario.IncidentAsync("ErrorBudgetFastBurn"))!.EscalatedAt.ShouldBeNull();
    }

    [Fact]
    public async Task A_rule_turned_off_or_given_a_higher_threshold_by_an_administrator_does_not_fire()
    {
        await using var scenario = await AlertScenario.StartAsync<TApp>();
        await scenario.AddAsync(new AlertRuleSetting { RuleName = "CriticalErrorRate", Enabled = false, UpdatedBy = "tests" });
        await scenario.AddAsync(new AlertRuleSetting { RuleName = "HighErrorRate", Threshold = 1, UpdatedBy = "tests" });

        await scenario.RunUntilAsync(AlertScenario.FaultFrom + TimeSpan.FromMinutes(7), Step);

        (await scenario.IncidentAsync("CriticalErrorRate")).ShouldBeNull();
        (await scenario.IncidentAsync("HighErrorRate")).ShouldBeNull("100 % of failures is not above a threshold of 100 %");
        (await scenario.IncidentAsync("ErrorBudgetFastBurn"))!.Status.ShouldBe(AlertStatus.Firing);
    }

    [Fact]
    public async Task Information_alerts_wait_for_the_daily_digest()
    {
        await using var scenario = await AlertScenario.StartAsync<TApp>();
        await scenario.StepAsync(TimeSpan.Zero);
        var security = scenario.App.Services.GetRequiredService<SecurityMetrics>();
        for (var i = 0; i < 4; i++)
        {
            security.SignIn("locked_out", "password");
        }

        await scenario.StepAsync(Step);
        (await scenario.IncidentAsync("AccountLockouts"))!.Status.ShouldBe(AlertStatus.Firing);
        (await scenario.NotificationsAsync("AccountLockouts")).ShouldBeEmpty("P3 is not sent at once");

        // The next 08:00 UTC (Shepherd:Alerting:DigestTime in Shepherd:Alerting:TimeZone): one digest with it.
        scenario.Clock.Advance(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero) - scenario.Clock.GetUtcNow());
        await scenario.StepAsync(TimeSpan.FromSeconds(1));
        var digest = (await scenario.NotificationsAsync("AccountLockouts")).ShouldHaveSingleItem();
        digest.Kind.ShouldBe(AlertNotificationKind.Digest);
        digest.Body.ShouldContain("AccountLockouts (P3, security): RESOLVED");
        await scenario.StepAsync(Step);
        (await scenario.NotificationsAsync("AccountLockouts")).Count.ShouldBe(1, "one digest a day");
    }
}
