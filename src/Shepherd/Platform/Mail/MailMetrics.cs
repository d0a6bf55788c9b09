using System.Diagnostics.Metrics;

namespace Shepherd.Platform.Mail;

/// <summary>E-mail as a metric (meter Shepherd.Mail): messages handed to the mail server, and those it would not take.</summary>
public sealed class MailMetrics
{
    public const string MeterName = "Shepherd.Mail";
    public const string MessagesName = "shepherd.mail.messages";

    private readonly Counter<long> _messages;

    public MailMetrics(IMeterFactory meters) =>
        _messages = meters.Create(MeterName).CreateCounter<long>(MessagesName, "{message}",
            "E-mail messages by outcome: sent (the mail server accepted it) or failed (unreachable, refused, timed out).");

    public void Sent() => _messages.Add(1, new KeyValuePair<string, object?>("outcome", "sent"));

    public void Failed() => _messages.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
}
