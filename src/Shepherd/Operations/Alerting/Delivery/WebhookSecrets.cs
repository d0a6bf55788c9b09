using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Shepherd.Data.Alerting;

namespace Shepherd.Operations.Alerting.Delivery;

/// <summary>
/// The generic webhook's signing secret: stored encrypted with the server's data protection keys
/// (<see cref="AlertChannel.ProtectedSecret"/>), shown in clear only once, when it is made.
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider protection)
{
    public const string Purpose = "Shepherd.Alerting.WebhookSecret";

    private readonly IDataProtector _protector = protection.CreateProtector(Purpose);

    /// <summary>A new secret: 32 random bytes as URL-safe base64 (43 characters).</summary>
    public static string Generate() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public string Protect(string secret) => _protector.Protect(secret);

    /// <summary>The secret in clear, or null when there is none or it cannot be read (the keys changed).</summary>
    public string? Unprotect(string? protectedSecret)
    {
        if (protectedSecret is null)
        {
            return null;
        }
        try
        {
            return _protector.Unprotect(protectedSecret);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary><c>sha256=</c> and the lowercase hex HMAC-SHA256 of "<paramref name="timestamp"/>.<paramref name="body"/>" with the secret.</summary>
    public static string Sign(string secret, long timestamp, string body)
    {
        var signed = System.Text.Encoding.UTF8.GetBytes(timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + body);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret), signed));
    }
}
