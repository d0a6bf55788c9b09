namespace Shepherd.Platform.Web;

/// <summary>The web UI's browser session (<c>Shepherd:Web</c>).</summary>
public sealed class WebSessionOptions
{
    public const string Section = "Shepherd:Web";

    /// <summary>How long a session lives without a request (sliding).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// A session re-checks the token it was opened with at most this often, so a revoked or expired token signs the
    /// browser out within this time. Zero checks on every request.
    /// </summary>
    public TimeSpan SessionRevalidation { get; set; } = TimeSpan.FromMinutes(1);
}
