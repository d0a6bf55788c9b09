using System.Net;
using Microsoft.Extensions.Options;

namespace Shepherd.Platform.Mail;

/// <summary>The account messages Shepherd sends (reset, confirmation, invitation), with links under Shepherd:Mail:PublicUrl.</summary>
public sealed class AccountEmails(MailSender mail, MailOutbox outbox, IOptions<MailOptions> options)
{
    /// <summary>Why no account e-mail can be sent from this server, or null.</summary>
    public string? Problem => mail.Problem;

    /// <summary>An absolute link to <paramref name="pathAndQuery"/> on the public address, or null when none is set.</summary>
    public string? Link(string pathAndQuery) =>
        Uri.TryCreate(options.Value.PublicUrl, UriKind.Absolute, out var root) ? root.ToString().TrimEnd('/') + pathAndQuery : null;

    /// <summary>Queued, not sent: the page answers at once whether or not the address has an account (<see cref="MailOutbox"/>).</summary>
    public bool QueuePasswordReset(string to, string link, TimeSpan lifetime) =>
        outbox.Enqueue(Compose(to, "Reset your Shepherd password",
            $"Someone (we hope you) asked to reset the password of your Shepherd account. Choose a new password here within {Describe(lifetime)}:",
            link, "If you did not ask, ignore this message: your password stays as it is."));

    public Task<MailResult> SendConfirmationAsync(string to, string link, TimeSpan lifetime, CancellationToken cancellationToken) =>
        SendAsync(to, "Confirm your e-mail address for Shepherd",
            $"Confirm that this address belongs to your Shepherd account by opening this link within {Describe(lifetime)}:",
            link, "If you do not have a Shepherd account, ignore this message.", cancellationToken);

    public Task<MailResult> SendExternalLinkAsync(string to, string provider, string link, TimeSpan lifetime, CancellationToken cancellationToken) =>
        SendAsync(to, $"Link your {provider} sign-in to Shepherd",
            $"Someone (we hope you) signed in with {provider} as this address and asked to use it for your Shepherd account. Link it by opening this link within {Describe(lifetime)}:",
            link, "If it was not you, ignore this message: nothing is linked, and tell your administrator.", cancellationToken);

    public Task<MailResult> SendInvitationAsync(
        string to, string organization, string role, string invitedBy, string link, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        SendAsync(to, $"You are invited to {organization} on Shepherd",
            $"{invitedBy} invites you to join {organization} on Shepherd as {role}. Accept here before {expiresAt:yyyy-MM-dd HH:mm} UTC:",
            link, "If you do not expect this invitation, ignore this message.", cancellationToken);

    private Task<MailResult> SendAsync(string to, string subject, string intro, string link, string outro, CancellationToken cancellationToken) =>
        mail.SendAsync(Compose(to, subject, intro, link, outro), cancellationToken);

    private static OutgoingMail Compose(string to, string subject, string intro, string link, string outro)
    {
        var text = $"{intro}\n\n{link}\n\n{outro}\n";
        var html = $"<p>{WebUtility.HtmlEncode(intro)}</p>\n<p><a href=\"{WebUtility.HtmlEncode(link)}\">{WebUtility.HtmlEncode(link)}</a></p>\n<p>{WebUtility.HtmlEncode(outro)}</p>\n";
        return new OutgoingMail(to, subject, text, html);
    }

    private static string Describe(TimeSpan lifetime) =>
        lifetime.TotalHours >= 1 ? $"{lifetime.TotalHours:0.#} hour{(lifetime.TotalHours == 1 ? "" : "s")}" : $"{Math.Max(1, lifetime.TotalMinutes):0} minutes";
}
