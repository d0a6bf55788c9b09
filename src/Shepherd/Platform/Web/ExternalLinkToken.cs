using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Shepherd.Platform.Web;

/// <summary>
/// The e-mailed link that links an external login to an account: data-protected and expiring, naming the user, the
/// provider and the provider's subject. The link also carries the user's id in the clear; both must agree.
/// </summary>
public static class ExternalLinkToken
{
    public const string Path = "/signin/external/confirm";
    private const string Purpose = "Shepherd.ExternalLink";

    public sealed record Claim(long UserId, string Provider, string Subject);

    public static string Link(IDataProtectionProvider protection, Claim claim, TimeSpan lifetime)
    {
        var token = Protector(protection).Protect(
            string.Create(CultureInfo.InvariantCulture, $"{claim.UserId}\n{claim.Provider}\n{claim.Subject}"), lifetime);
        return string.Create(CultureInfo.InvariantCulture, $"{Path}?user={claim.UserId}&token={token}");
    }

    /// <summary>What the link names, or null when it expired, was tampered with, or names another user than <paramref name="user"/>.</summary>
    public static Claim? Read(IDataProtectionProvider protection, long? user, string? token)
    {
        if (user is null || string.IsNullOrEmpty(token) || token.Length > 4000)
        {
            return null;
        }
        try
        {
            var parts = Protector(protection).Unprotect(token).Split('\n', 3);
            return parts.Length == 3 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id == user
                ? new Claim(id, parts[1], parts[2])
                : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static ITimeLimitedDataProtector Protector(IDataProtectionProvider protection) =>
        protection.CreateProtector(Purpose).ToTimeLimitedDataProtector();
}
