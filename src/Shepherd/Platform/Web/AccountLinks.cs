using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Shepherd.Platform.Web;

/// <summary>
/// The links of account e-mails. Identity's tokens are Base64 with '+' and '/'; in a link they travel Base64url-encoded.
/// Secrets go in the query string, which the request log leaves out (the path is logged).
/// </summary>
public static class AccountLinks
{
    public const string ForgotPath = "/account/forgot";
    public const string ResetPath = "/account/reset";
    public const string ConfirmPath = "/account/confirm";
    public const string InvitePath = "/invite";

    public static string Reset(long userId, string token) => With(ResetPath, userId, token);

    public static string Confirm(long userId, string token) => With(ConfirmPath, userId, token);

    public static string Invite(string secret) => $"{InvitePath}?code={secret}";

    /// <summary>The token as Identity made it, or null when the link's text was damaged.</summary>
    public static string? DecodeToken(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2000)
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(token));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string With(string path, long userId, string token) =>
        string.Create(CultureInfo.InvariantCulture, $"{path}?user={userId}&token={WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token))}");
}
