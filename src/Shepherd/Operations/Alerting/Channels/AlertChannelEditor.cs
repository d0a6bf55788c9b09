using System.Net;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Shepherd.Data;
using Shepherd.Data.Alerting;
using Shepherd.Data.Audit;
using Shepherd.Operations.Alerting.Delivery;

namespace Shepherd.Operations.Alerting.Channels;

/// <summary>A channel as an administrator writes it (API body and page form alike); every field is checked by <see cref="AlertChannelEditor"/>.</summary>
public sealed record AlertChannelRequest(
    string? Name, string? Kind, string? Target, string? MinimumSeverity, bool? Escalation, bool? Enabled, string? Secret);

/// <summary>
/// A channel as it is shown: never its secret, and of a webhook URL only the scheme and host (the rest is the credential).
/// </summary>
/// <param name="Secret">The webhook secret, only in the answer that made it (creation, or a change to Webhook without one).</param>
public sealed record AlertChannelResponse(
    long Id, string Name, string Kind, string Target, string MinimumSeverity, bool Escalation, bool Enabled, bool HasSecret,
    DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt, string? LastError,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Secret = null)
{
    public static AlertChannelResponse From(AlertChannel c, string? secret = null) => new(
        c.Id, c.Name, c.Kind.ToString(), AlertChannelEditor.ShownTarget(c), c.MinimumSeverity.ToString(), c.Escalation, c.Enabled,
        c.ProtectedSecret is not null, c.CreatedAt, c.CreatedBy, c.LastSuccessAt, c.LastFailureAt, c.LastError, secret);
}

/// <summary>Errors by field, a conflict (the name is taken), not found, or the saved channel.</summary>
public sealed record ChannelOutcome(
    IDictionary<string, string[]>? Errors = null, string? Conflict = null, bool NotFound = false, AlertChannelResponse? Channel = null);

/// <summary>Lists, creates, changes and deletes alert channels, with the same checks for the API and the page.</summary>
public sealed class AlertChannelEditor(ShepherdDbContextFactory contexts, WebhookSecrets secrets, TimeProvider clock)
{
    public const int MaxNameLength = 100;
    public const int MaxAddresses = 20;
    public const int MaxTargetLength = 2000;

    public async Task<IReadOnlyList<AlertChannelResponse>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var channels = await db.AlertChannels.AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken);
        return [.. channels.Select(c => AlertChannelResponse.From(c))];
    }

    public async Task<ChannelOutcome> CreateAsync(AlertChannelRequest request, string createdBy, CancellationToken cancellationToken)
    {
        var (valid, errors) = Validate(request);
        if (errors.Count > 0)
        {
            return new(Errors: errors);
        }
        await using var db = contexts.Create(null, AuditActor.System);
        if (await NameTakenAsync(db, valid.Name, null, cancellationToken))
        {
            return new(Conflict: $"An alert channel named '{valid.Name}' already exists. Choose another name.");
        }
        var channel = new AlertChannel { Name = valid.Name, Target = valid.Target, CreatedAt = clock.GetUtcNow(), CreatedBy = createdBy.Length <= 200 ? createdBy : createdBy[..200] };
        var secret = Apply(channel, valid);
        db.AlertChannels.Add(channel);
        await db.SaveChangesAsync(cancellationToken);
        return new(Channel: AlertChannelResponse.From(channel, secret));
    }

    /// <summary>Replaces every field; a Webhook channel keeps its secret when the request carries none.</summary>
    public async Task<ChannelOutcome> UpdateAsync(long id, AlertChannelRequest request, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var channel = await db.AlertChannels.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (channel is null)
        {
            return new(NotFound: true);
        }
        var (valid, errors) = Validate(request);
        if (errors.Count > 0)
        {
            return new(Errors: errors);
        }
        if (await NameTakenAsync(db, valid.Name, id, cancellationToken))
        {
            return new(Conflict: $"An alert channel named '{valid.Name}' already exists. Choose another name.");
        }
        channel.Name = valid.Name;
        channel.Target = valid.Target;
        var secret = Apply(channel, valid);
        await db.SaveChangesAsync(cancellationToken);
        return new(Channel: AlertChannelResponse.From(channel, secret));
    }

    public async Task<ChannelOutcome> SetEnabledAsync(long id, bool enabled, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var channel = await db.AlertChannels.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (channel is null)
        {
            return new(NotFound: true);
        }
        channel.Enabled = enabled;
        await db.SaveChangesAsync(cancellationToken);
        return new(Channel: AlertChannelResponse.From(channel));
    }

    /// <summary>Deletes the channel and its notification history; false when there is no such channel.</summary>
    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var channel = await db.AlertChannels.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (channel is null)
        {
            return false;
        }
        db.AlertChannels.Remove(channel);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>The latest notifications that failed for good, newest first, with their channel's name.</summary>
    public async Task<IReadOnlyList<(AlertNotification Notification, string Channel)>> RecentFailuresAsync(int count, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var failed = await db.AlertNotifications.AsNoTracking().Include(n => n.Channel)
            .Where(n => n.Status == AlertDeliveryStatus.Failed).OrderByDescending(n => n.Id).Take(count).ToListAsync(cancellationToken);
        return [.. failed.Select(n => (n, n.Channel!.Name))];
    }

    /// <summary>What may be shown of a channel's target: e-mail addresses in full, a webhook URL as scheme and host.</summary>
    public static string ShownTarget(AlertChannel channel) => channel.Kind switch
    {
        AlertChannelKind.Email => channel.Target,
        AlertChannelKind.PlatformAdministrators => "",
        _ => AlertChannelSender.MaskUrl(channel.Target),
    };

    public static bool IsWebhookKind(AlertChannelKind kind) =>
        kind is AlertChannelKind.Slack or AlertChannelKind.Teams or AlertChannelKind.Discord or AlertChannelKind.Webhook;

    private sealed record ValidChannel(string Name, AlertChannelKind Kind, string Target, AlertSeverity MinimumSeverity, bool Escalation, bool Enabled, string? Secret);

    /// <summary>Sets the checked fields and the secret; returns the secret to show once when one was generated.</summary>
    private string? Apply(AlertChannel channel, ValidChannel valid)
    {
        channel.Kind = valid.Kind;
        channel.MinimumSeverity = valid.MinimumSeverity;
        channel.Escalation = valid.Escalation;
        channel.Enabled = valid.Enabled;
        if (valid.Kind != AlertChannelKind.Webhook)
        {
            channel.ProtectedSecret = null;
            return null;
        }
        if (valid.Secret is { } given)
        {
            channel.ProtectedSecret = secrets.Protect(given);
            return null;
        }
        if (channel.ProtectedSecret is not null)
        {
            return null;
        }
        var generated = WebhookSecrets.Generate();
        channel.ProtectedSecret = secrets.Protect(generated);
        return generated;
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1862", Justification = "EF translates ToUpper() == to SQL on both providers; the StringComparison overload has no translation.")]
    private static Task<bool> NameTakenAsync(ShepherdDbContext db, string name, long? except, CancellationToken cancellationToken)
    {
        var upper = name.ToUpperInvariant();
        return db.AlertChannels.AnyAsync(c => c.Name.ToUpper() == upper && c.Id != except, cancellationToken);
    }

    private static (ValidChannel Valid, Dictionary<string, string[]> Errors) Validate(AlertChannelRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength)
        {
            errors["name"] = [$"Give the channel a name of 1 to {MaxNameLength} characters, e.g. On-call e-mail."];
        }
        var kinds = string.Join(", ", Enum.GetNames<AlertChannelKind>());
        AlertChannelKind kind = default;
        var kindKnown = !string.IsNullOrWhiteSpace(request.Kind) && !char.IsAsciiDigit(request.Kind.Trim()[0])
            && Enum.TryParse(request.Kind.Trim(), ignoreCase: true, out kind) && Enum.IsDefined(kind);
        if (!kindKnown)
        {
            errors["kind"] = [$"Choose the kind of channel: one of {kinds}."];
        }
        var severity = AlertSeverity.P3;
        if (!string.IsNullOrWhiteSpace(request.MinimumSeverity)
            && !(Enum.TryParse(request.MinimumSeverity.Trim(), ignoreCase: true, out severity) && Enum.IsDefined(severity) && !char.IsAsciiDigit(request.MinimumSeverity.Trim()[0])))
        {
            errors["minimumSeverity"] = ["The least urgent severity to send here is one of P0, P1, P2 or P3 (P3: everything)."];
        }
        var target = request.Target?.Trim() ?? "";
        if (kindKnown && TargetProblem(kind, target) is { } problem)
        {
            errors["target"] = [problem];
        }
        var secret = string.IsNullOrEmpty(request.Secret) ? null : request.Secret;
        if (secret is not null && kindKnown && kind != AlertChannelKind.Webhook)
        {
            errors["secret"] = ["Only a Webhook channel has a signing secret: leave it out."];
        }
        else if (secret is not null && (secret.Length is < 16 or > 200 || secret.Any(char.IsControl)))
        {
            errors["secret"] = ["A signing secret has 16 to 200 characters without control characters; leave it out to have one generated."];
        }
        if (kind == AlertChannelKind.PlatformAdministrators)
        {
            target = "";
        }
        else if (kind == AlertChannelKind.Email)
        {
            target = string.Join(", ", AlertChannelSender.AddressesOf(target));
        }
        return (new ValidChannel(name, kind, target, severity, request.Escalation ?? false, request.Enabled ?? true, secret), errors);
    }

    private static string? TargetProblem(AlertChannelKind kind, string target)
    {
        if (target.Length > MaxTargetLength)
        {
            return $"The target is longer than {MaxTargetLength} characters.";
        }
        switch (kind)
        {
            case AlertChannelKind.PlatformAdministrators:
                return target.Length == 0 ? null
                    : "A PlatformAdministrators channel takes no target: it e-mails every platform administrator. Leave it empty.";
            case AlertChannelKind.Email:
                var addresses = AlertChannelSender.AddressesOf(target);
                if (addresses.Count == 0)
                {
                    return "Give one or more e-mail addresses separated by commas, e.g. pastor@example.org, it@example.org.";
                }
                if (addresses.Count > MaxAddresses)
                {
                    return $"At most {MaxAddresses} addresses per channel (this has {addresses.Count}): make a second channel.";
                }
                var bad = addresses.FirstOrDefault(a => !MailboxAddress.TryParse(a, out var mailbox) || string.IsNullOrEmpty(mailbox.Domain)
                    || mailbox.Address.Contains(' ', StringComparison.Ordinal));
                return bad is null ? null : $"'{bad}' is not an e-mail address.";
            default:
                if (!Uri.TryCreate(target, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || string.IsNullOrEmpty(url.Host))
                {
                    return $"Give the {kind} webhook's full URL, starting with https://.";
                }
                if (url.Scheme == "http" && !IsLoopback(url))
                {
                    return "The webhook URL must use https:// (plain http only to this machine's loopback address).";
                }
                return null;
        }
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
