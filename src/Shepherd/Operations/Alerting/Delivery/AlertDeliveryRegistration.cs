using Shepherd.Operations.Alerting.Channels;

namespace Shepherd.Operations.Alerting.Delivery;

public static class AlertDeliveryRegistration
{
    /// <summary>Channels and delivery: the sender, the dispatcher with its retries, secrets, metrics and the channel editor.</summary>
    public static IServiceCollection AddShepherdAlertDelivery(this IServiceCollection services)
    {
        // No request logging on this client: Slack and Discord webhook URLs carry their credential in the path.
        services.AddHttpClient(AlertChannelSender.HttpClientName, c => c.Timeout = AlertChannelSender.Timeout).RemoveAllLoggers();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<AlertDeliveryMetrics>();
        services.AddSingleton<AlertChannelSender>();
        services.AddSingleton<AlertDispatcher>();
        services.AddSingleton<AlertChannelEditor>();
        return services;
    }
}
