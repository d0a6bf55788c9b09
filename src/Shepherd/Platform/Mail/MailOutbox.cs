using System.Threading.Channels;

namespace Shepherd.Platform.Mail;

/// <summary>
/// Mail that must not be sent inside the request that asks for it: a password reset link. Sending takes a mail server's
/// round trips, and only known addresses get a message, so a page that waited for the send would answer later for an
/// address with an account than for one without, and tell who has one. The request only queues; <see cref="MailOutboxSender"/>
/// sends in the background. Bounded: when a flood fills it, further messages are dropped and logged, never the server's memory.
/// </summary>
public sealed partial class MailOutbox(ILogger<MailOutbox> logger)
{
    public const int Capacity = 1000;

    private readonly Channel<OutgoingMail> _queue = Channel.CreateBounded<OutgoingMail>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    public ChannelReader<OutgoingMail> Reader => _queue.Reader;

    /// <summary>Queues <paramref name="mail"/>; false (and a warning) when the queue is full.</summary>
    public bool Enqueue(OutgoingMail mail)
    {
        if (_queue.Writer.TryWrite(mail))
        {
            return true;
        }
        LogFull(logger, Capacity);
        return false;
    }

    [LoggerMessage(EventId = 5202, EventName = "MailOutboxFull", Level = LogLevel.Warning,
        Message = "The mail outbox holds {Capacity} messages not yet sent; a password reset e-mail was dropped. Check the mail server (the mail health check says whether it answers).")]
    private static partial void LogFull(ILogger logger, int capacity);
}

/// <summary>Sends what <see cref="MailOutbox"/> holds, one message at a time; on shutdown it tries the rest for a few seconds.</summary>
public sealed partial class MailOutboxSender(MailOutbox outbox, MailSender sender, ILogger<MailOutboxSender> logger) : BackgroundService
{
    private static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var mail in outbox.Reader.ReadAllAsync(stoppingToken))
            {
                // A failure is logged by the sender (server and error, never the message); the person asks again.
                await sender.SendAsync(mail, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await DrainAsync();
        }
    }

    private async Task DrainAsync()
    {
        using var drain = new CancellationTokenSource(DrainTime);
        var left = 0;
        while (outbox.Reader.TryRead(out var mail))
        {
            if (drain.IsCancellationRequested)
            {
                left++;
                continue;
            }
            try
            {
                await sender.SendAsync(mail, drain.Token);
            }
            catch (OperationCanceledException)
            {
                left++;
            }
        }
        if (left > 0)
        {
            LogUnsent(logger, left);
        }
    }

    [LoggerMessage(EventId = 5203, EventName = "MailOutboxUnsent", Level = LogLevel.Warning,
        Message = "Shepherd stopped with {Count} queued e-mails not sent (password reset links); the people who asked will have to ask again.")]
    private static partial void LogUnsent(ILogger logger, int count);
}
