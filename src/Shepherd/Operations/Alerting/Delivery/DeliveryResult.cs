namespace Shepherd.Operations.Alerting.Delivery;

/// <summary>The outcome of one attempt to deliver a notification: sent, or why not (short, without secrets).</summary>
public sealed record DeliveryResult(bool Sent, string? Error)
{
    public static readonly DeliveryResult Ok = new(true, null);

    public static DeliveryResult Failed(string error) => new(false, error);
}
