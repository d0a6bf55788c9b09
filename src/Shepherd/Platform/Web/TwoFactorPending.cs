using System.Globalization;
using Microsoft.AspNetCore.DataProtection;

namespace Shepherd.Platform.Web;

/// <summary>
/// Between the password and the second factor: a short-lived, encrypted cookie naming the user whose password was right
/// (with their security stamp, so a password change in between voids it). It opens nothing but the code page.
/// </summary>
public static class TwoFactorPending
{
    public const string CookieName = "shepherd.2fa";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private const string Purpose = "Shepherd.TwoFactorPending";

    /// <param name="method">How the first step was passed: the password, or an external provider (<see cref="Accounts.SessionClaims.ExternalMethod"/>).</param>
    public static void Start(HttpContext http, long userId, string? securityStamp, string method = Accounts.SessionClaims.PasswordMethod)
    {
        var protector = Protector(http);
        var value = protector.Protect(string.Create(CultureInfo.InvariantCulture, $"{userId}|{securityStamp}|{method}"), Lifetime);
        http.Response.Cookies.Append(CookieName, value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = WebSession.SignInPath,
            MaxAge = Lifetime,
        });
    }

    /// <summary>The waiting user's id, security stamp and first step, or null when there is none or it expired or was tampered with.</summary>
    public static (long UserId, string Stamp, string Method)? Read(HttpContext http)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }
        try
        {
            var parts = Protector(http).Unprotect(value).Split('|', 3);
            return long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id) && parts.Length == 3 ? (id, parts[1], parts[2]) : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    public static void End(HttpContext http) => http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = WebSession.SignInPath });

    private static ITimeLimitedDataProtector Protector(HttpContext http) =>
        http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).ToTimeLimitedDataProtector();
}
