using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Shepherd.Platform.Mail;

/// <summary>
/// Sends e-mail over SMTP (MailKit), one connection per message: Shepherd sends a few messages a day, not a newsletter.
/// A failure is logged (server, port and error, never the password) and returned to the caller, who tells the person.
/// </summary>
public sealed partial class MailSender(IOptions<MailOptions> options, MailMetrics metrics, ILogger<MailSender> logger)
{
    public MailOptions Options => options.Value;

    /// <summary>Why this server cannot send mail at all, or null when it can try.</summary>
    public string? Problem => options.Value.Problem;

    public async Task<MailResult> SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.Problem is { } problem)
        {
            return MailResult.Failed(problem);
        }
        try
        {
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress(settings.FromName, settings.FromAddress));
            message.To.Add(MailboxAddress.Parse(mail.To));
            message.Subject = mail.Subject;
            message.Body = new BodyBuilder { TextBody = mail.Text, HtmlBody = mail.Html }.ToMessageBody();
            using var client = await ConnectAsync(settings, cancellationToken);
            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            LogSent(logger, settings.Host!, settings.Port);
            metrics.Sent();
            return MailResult.Ok;
        }
        catch (Exception e) when (IsMailFailure(e))
        {
            LogFailed(logger, settings.Host!, settings.Port, e.GetType().Name, e.Message);
            metrics.Failed();
            return MailResult.Failed("The e-mail could not be sent (the mail server did not accept it). Try again later or ask an administrator to check the mail settings.");
        }
    }

    /// <summary>Connects, greets and says NOOP: the health check's question "would mail go out now?".</summary>
    public async Task<MailResult> CheckAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.Problem is { } problem)
        {
            return MailResult.Failed(problem);
        }
        try
        {
            using var client = await ConnectAsync(settings, cancellationToken);
            await client.NoOpAsync(cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return MailResult.Ok;
        }
        catch (Exception e) when (IsMailFailure(e))
        {
            return MailResult.Failed($"{settings.Host}:{settings.Port} cannot be reached or refused us ({e.GetType().Name}: {e.Message}).");
        }
    }

    private static async Task<SmtpClient> ConnectAsync(MailOptions settings, CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        try
        {
            var security = settings.Security switch
            {
                MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                MailSecurity.StartTls => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(settings.Host!, settings.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(settings.UserName))
            {
                await client.AuthenticateAsync(settings.UserName, settings.Password ?? "", cancellationToken);
            }
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static bool IsMailFailure(Exception e) =>
        e is SocketException or ParseException or IOException or TimeoutException or ProtocolException or CommandException or AuthenticationException
            or SslHandshakeException or ServiceNotConnectedException or System.Security.Authentication.AuthenticationException;

    [LoggerMessage(EventId = 5200, EventName = "MailSent", Level = LogLevel.Information, Message = "E-mail sent through {MailHost}:{MailPort}")]
    private static partial void LogSent(ILogger logger, string mailHost, int mailPort);

    [LoggerMessage(EventId = 5201, EventName = "MailFailed", Level = LogLevel.Warning,
        Message = "E-mail could not be sent through {MailHost}:{MailPort}: {ErrorType}: {ErrorMessage}")]
    private static partial void LogFailed(ILogger logger, string mailHost, int mailPort, string errorType, string errorMessage);
}
