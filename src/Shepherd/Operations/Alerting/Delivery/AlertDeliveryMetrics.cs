using System.Diagnostics.Metrics;
using Shepherd.Data.Alerting;

namespace Shepherd.Operations.Alerting.Delivery;

/// <summary>
/// Notifications as a metric (meter Shepherd.Alerting): <c>shepherd.alerts.notifications</c> by channel kind and outcome —
/// sent, retried (an attempt failed, another follows) or failed (the last attempt failed, or the channel is disabled).
/// </summary>
public sealed class AlertDeliveryMetrics
{
    public const string MeterName = "Shepherd.Alerting";
    public const string NotificationsName = "shepherd.alerts.notifications";

    private readonly Counter<long> _notifications;

    public AlertDeliveryMetrics(IMeterFactory meters) =>
        _notifications = meters.Create(MeterName).CreateCounter<long>(NotificationsName, "{notification}",
            "Alert notification delivery attempts by channel kind and outcome: sent, retried or failed.");

    public void Record(AlertChannelKind kind, string outcome) =>
        _notifications.Add(1, new KeyValuePair<string, object?>("channel.kind", kind.ToString()), new KeyValuePair<string, object?>("outcome", outcome));
}
