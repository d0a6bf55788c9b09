using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Alerting;
using Shepherd.Data.Audit;
using Shepherd.Platform.Mail;

namespace Shepherd.Operations.Alerting.Delivery;

/// <summary>
/// Sends one notification to one channel, once: e-mail through <see cref="MailSender"/>, chat webhooks in the shape Slack,
/// Teams and Discord accept, and the generic webhook signed with the channel's secret. A failure is a result with a short
/// reason, never an exception. Webhook URLs are secrets (their path is the credential): only their host is ever logged or kept.
/// </summary>
public sealed partial class AlertChannelSender(
    IHttpClientFactory http,
    MailSender mail,
    WebhookSecrets secrets,
    ShepherdDbContextFactory contexts,
    TimeProvider clock,
    ILogger<AlertChannelSender> logger)
{
    /// <summary>The named HttpClient of every webhook call (10 s timeout).</summary>
    public const string HttpClientName = "alerting";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Discord refuses a message whose content is longer than this.</summary>
    public const int DiscordLimit = 2000;

    public const string TimestampHeader = "X-Shepherd-Timestamp";
    public const string SignatureHeader = "X-Shepherd-Signature";
    public const string EventHeader = "X-Shepherd-Event";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<DeliveryResult> SendAsync(AlertChannel channel, AlertNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(notification);
        return channel.Kind switch
        {
            AlertChannelKind.Email => await MailAsync(AddressesOf(channel.Target), notification, cancellationToken),
            AlertChannelKind.PlatformAdministrators => await MailAsync(await PlatformAdministratorsAsync(cancellationToken), notification, cancellationToken),
            AlertChannelKind.Slack => await PostAsync(channel, JsonSerializer.Serialize(new { text = notification.Subject + "\n" + notification.Body }, Json), null, cancellationToken),
            AlertChannelKind.Teams => await PostAsync(channel, TeamsCard(notification), null, cancellationToken),
            AlertChannelKind.Discord => await PostAsync(channel, JsonSerializer.Serialize(new { content = DiscordContent(notification) }, Json), null, cancellationToken),
            AlertChannelKind.Webhook => await SignedAsync(channel, notification, cancellationToken),
            _ => DeliveryResult.Failed($"unknown channel kind {channel.Kind}"),
        };
    }

    /// <summary>The addresses of an e-mail channel's target (separated by commas).</summary>
    public static IReadOnlyList<string> AddressesOf(string target) =>
        [.. target.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>"scheme://host/…": what may be shown or logged of a webhook URL (the rest is its secret).</summary>
    public static string MaskUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}/…" : "…";

    public static string HostOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host : "(invalid URL)";

    /// <summary>The e-mail addresses of the platform administrators, read now.</summary>
    public async Task<IReadOnlyList<string>> PlatformAdministratorsAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        return await db.Users.AsNoTracking().Where(u => u.IsPlatformAdministrator && u.Email != null && u.Email != "")
            .OrderBy(u => u.Email).Select(u => u.Email!).ToListAsync(cancellationToken);
    }

    private async Task<DeliveryResult> MailAsync(IReadOnlyList<string> addresses, AlertNotification notification, CancellationToken cancellationToken)
    {
        if (addresses.Count == 0)
        {
            return DeliveryResult.Failed("no platform administrator has an e-mail address");
        }
        var html = "<pre style=\"font-family:inherit;white-space:pre-wrap\">" + WebUtility.HtmlEncode(notification.Body) + "</pre>";
        var failed = new List<string>();
        string? problem = null;
        foreach (var address in addresses)
        {
            var result = await mail.SendAsync(new OutgoingMail(address, notification.Subject, notification.Body, html), cancellationToken);
            if (!result.Sent)
            {
                failed.Add(address);
                problem ??= result.Problem;
            }
        }
        // Everyone must have it: a retry goes to all addresses again, as a pager would rather repeat than miss someone.
        return failed.Count == 0 ? DeliveryResult.Ok
            : DeliveryResult.Failed($"e-mail to {string.Join(", ", failed)} failed: {problem}");
    }

    private static string TeamsCard(AlertNotification notification) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["@type"] = "MessageCard",
        ["@context"] = "https://schema.org/extensions",
        ["summary"] = notification.Subject,
        ["title"] = notification.Subject,
        // Teams renders the text as Markdown, where a line break needs two trailing spaces.
        ["text"] = notification.Body.ReplaceLineEndings("  \n"),
    }, Json);

    public static string DiscordContent(AlertNotification notification)
    {
        var content = "**" + notification.Subject + "**\n" + notification.Body;
        return content.Length <= DiscordLimit ? content : content[..(DiscordLimit - 1)] + "…";
    }

    private async Task<DeliveryResult> SignedAsync(AlertChannel channel, AlertNotification notification, CancellationToken cancellationToken)
    {
        if (secrets.Unprotect(channel.ProtectedSecret) is not { } secret)
        {
            return DeliveryResult.Failed("the webhook secret cannot be read (set a new one on the channel)");
        }
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        var headers = new Dictionary<string, string>
        {
            [TimestampHeader] = timestamp.ToString(CultureInfo.InvariantCulture),
            [SignatureHeader] = WebhookSecrets.Sign(secret, timestamp, notification.Payload),
            [EventHeader] = notification.Kind.ToString(),
        };
        return await PostAsync(channel, notification.Payload, headers, cancellationToken);
    }

    private async Task<DeliveryResult> PostAsync(AlertChannel channel, string body, Dictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        var host = HostOf(channel.Target);
        if (!Uri.TryCreate(channel.Target, UriKind.Absolute, out var url))
        {
            return DeliveryResult.Failed("the channel's URL is not valid");
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            using var client = http.CreateClient(HttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return DeliveryResult.Ok;
            }
            var error = $"{host} answered {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
            LogRefused(logger, channel.Name, channel.Kind, host, (int)response.StatusCode);
            return DeliveryResult.Failed(error);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The exception's message may quote the URL: only its type is kept.
            var reason = e is TaskCanceledException ? $"no answer from {host} within {Timeout.TotalSeconds:0} s"
                : $"{host} unreachable ({(e as HttpRequestException)?.HttpRequestError.ToString() ?? e.GetType().Name})";
            LogUnreachable(logger, channel.Name, channel.Kind, host, e.GetType().Name);
            return DeliveryResult.Failed(reason);
        }
    }

    [LoggerMessage(EventId = 7110, Level = LogLevel.Information, Message = "Alert channel {Channel} ({Kind}, {Host}) answered {StatusCode}")]
    private static partial void LogRefused(ILogger logger, string channel, AlertChannelKind kind, string host, int statusCode);

    [LoggerMessage(EventId = 7111, Level = LogLevel.Information, Message = "Alert channel {Channel} ({Kind}, {Host}) could not be reached: {ErrorType}")]
    private static partial void LogUnreachable(ILogger logger, string channel, AlertChannelKind kind, string host, string errorType);
}
