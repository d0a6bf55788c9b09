namespace Shepherd.Platform.Mail;

public enum MailSecurity { None, StartTls, SslOnConnect }

/// <summary>
/// Shepherd:Mail: the SMTP server Shepherd sends invitations, password resets and confirmation links through. Without
/// <see cref="Host"/> no mail is sent and the pages say so.
/// </summary>
public sealed class MailOptions
{
    public const string Section = "Shepherd:Mail";

    /// <summary>The SMTP server's name or address; empty means this server sends no e-mail.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public MailSecurity Security { get; set; } = MailSecurity.StartTls;

    /// <summary>Sign-in name for the SMTP server; empty sends without authenticating.</summary>
    public string? UserName { get; set; }

    /// <summary>Never logged.</summary>
    public string? Password { get; set; }

    public string FromAddress { get; set; } = "";

    public string FromName { get; set; } = "Shepherd";

    /// <summary>
    /// The address people open Shepherd at (e.g. https://shepherd.example.org): the links in e-mails start with it.
    /// Never taken from the request, whose Host header anyone can forge to steal a reset link.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>How long one SMTP conversation may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    /// <summary>What is missing for mail to work, in one sentence naming the setting, or null when nothing is.</summary>
    public string? Problem => true switch
    {
        _ when !IsConfigured => "This server cannot send e-mail (Shepherd:Mail:Host is not set).",
        _ when string.IsNullOrWhiteSpace(FromAddress) => "This server cannot send e-mail: Shepherd:Mail:FromAddress is not set.",
        _ when !Uri.TryCreate(PublicUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") =>
            "This server cannot send e-mail: Shepherd:Mail:PublicUrl (the address people open Shepherd at) is not set.",
        _ => null,
    };
}
