using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace Shepherd.Platform.Web;

/// <summary>
/// Between the options a browser gets and the passkey it answers with: Identity's ceremony state (the challenge, the
/// user) in a short-lived, encrypted cookie, used once: a second answer to the same options finds no state, even when
/// the old cookie is presented again (the server remembers the states it used until they expire).
/// </summary>
public static class PasskeyCeremony
{
    private static readonly ConcurrentDictionary<string, DateTimeOffset> Used = new(StringComparer.Ordinal);

    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private const string Purpose = "Shepherd.PasskeyCeremony";

    /// <summary>Sign-in (passwordless or second factor): the cookie lives under /signin.</summary>
    public static readonly Kind SignIn = new("shepherd.passkey", WebSession.SignInPath);

    /// <summary>Registering a passkey on the account page.</summary>
    public static readonly Kind Register = new("shepherd.passkey.add", PasskeysModel.Path);

    public sealed record Kind(string CookieName, string Path);

    /// <param name="UserId">The user the ceremony is for: the second factor's user, or the account registering a passkey; null for passwordless sign-in.</param>
    public sealed record State(long? UserId, string Json);

    public static void Start(HttpContext http, Kind kind, long? userId, string stateJson)
    {
        var value = Protector(http, kind).Protect(
            string.Create(CultureInfo.InvariantCulture, $"{userId}|{stateJson}"), Lifetime);
        http.Response.Cookies.Append(kind.CookieName, value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = kind.Path,
            MaxAge = Lifetime,
        });
    }

    /// <summary>The ceremony's state, removed from the browser as it is read; null when there is none, or it expired or was tampered with.</summary>
    public static State? Take(HttpContext http, Kind kind)
    {
        if (!http.Request.Cookies.TryGetValue(kind.CookieName, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }
        http.Response.Cookies.Delete(kind.CookieName, new CookieOptions { Path = kind.Path });
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        foreach (var (old, at) in Used)
        {
            if (now - at > Lifetime)
            {
                Used.TryRemove(old, out _);
            }
        }
        if (!Used.TryAdd(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value))), now))
        {
            return null;
        }
        try
        {
            var parts = Protector(http, kind).Unprotect(value).Split('|', 2);
            if (parts.Length != 2)
            {
                return null;
            }
            long? userId = parts[0].Length == 0 ? null
                : long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
            return new State(userId, parts[1]);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private static ITimeLimitedDataProtector Protector(HttpContext http, Kind kind) =>
        http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose, kind.CookieName).ToTimeLimitedDataProtector();
}
