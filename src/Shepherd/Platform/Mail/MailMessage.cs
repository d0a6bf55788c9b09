namespace Shepherd.Platform.Mail;

/// <summary>One message to one person, as plain text and HTML.</summary>
public sealed record OutgoingMail(string To, string Subject, string Text, string Html);

/// <summary>Whether a message left: <see cref="Problem"/> says why not, in words fit for the person who asked.</summary>
public sealed record MailResult(bool Sent, string? Problem)
{
    public static readonly MailResult Ok = new(true, null);

    public static MailResult Failed(string problem) => new(false, problem);
}
