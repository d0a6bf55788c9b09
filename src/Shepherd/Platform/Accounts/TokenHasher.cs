using System.Security.Cryptography;
using System.Text;

namespace Shepherd.Platform.Accounts;

/// <summary>
/// API tokens are 256 random bits, so a plain SHA-256 is enough to store them safely
/// (no salt or slow hash needed: there is nothing to guess).
/// </summary>
public static class TokenHasher
{
    public const string Prefix = "shp_";

    public static string NewToken() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
