using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Identity;
using QRCoder;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;

namespace Shepherd.Platform.Accounts;

/// <param name="SharedKey">The authenticator key, in groups of four for typing by hand.</param>
/// <param name="QrCodeSvg">An SVG QR code of <paramref name="AuthenticatorUri"/>, for scanning with an authenticator app.</param>
public sealed record TwoFactorEnrollment(string SharedKey, string AuthenticatorUri, string QrCodeSvg);

/// <summary>
/// Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and one-time recovery codes, on Identity's token
/// providers. A wrong code counts toward the same lockout as a wrong password.
/// </summary>
public sealed class TwoFactor(UserManager<ShepherdUser> users, IUserStore<ShepherdUser> store, SessionClaims sessions, TimeProvider clock)
{
    public const int RecoveryCodeCount = 10;
    private const string Issuer = "Shepherd";

    /// <summary>Where the last accepted app code is kept (Identity's user tokens): it is refused a second time.</summary>
    private const string TokenProvider = "Shepherd";
    private const string LastCodeToken = "LastAuthenticatorCode";

    /// <summary>Longer than Identity accepts a code (two 30-second steps either side of now).</summary>
    private static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(5);

    /// <summary>The key to enter into an authenticator app (made once, kept until enrollment is confirmed or reset).</summary>
    public async Task<TwoFactorEnrollment> EnrollmentAsync(ShepherdUser user)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            // Not UserManager.ResetAuthenticatorKeyAsync: that also changes the security stamp, which would end the very
            // session that is setting two-factor up. Nothing is protected by the key until enrollment is confirmed.
            key = users.GenerateNewAuthenticatorKey();
            await ((IUserAuthenticatorKeyStore<ShepherdUser>)store).SetAuthenticatorKeyAsync(user, key, CancellationToken.None);
            await users.UpdateAsync(user);
        }
        var uri = $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(user.Email ?? "")}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6";
        using var data = QRCodeGenerator.GenerateQrCode(uri, QRCodeGenerator.ECCLevel.Q);
        var svg = new SvgQRCode(data).GetGraphic(4);
        return new TwoFactorEnrollment(Grouped(key!), uri, svg);
    }

    /// <summary>Turns two-factor sign-in on when the code from the app is right; returns the recovery codes (shown once) or null.</summary>
    public async Task<IReadOnlyList<string>?> ConfirmAsync(ShepherdUser user, string code, string? ipAddress, CancellationToken cancellationToken)
    {
        if (!await VerifyAppCodeAsync(user, Digits(code)))
        {
            return null;
        }
        await users.SetTwoFactorEnabledAsync(user, true);
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!.ToList();
        await sessions.RecordAsync(await sessions.MembershipsAsync(user.Id, cancellationToken), user, AuditAction.TwoFactorChanged, ipAddress, cancellationToken, "enabled");
        return codes;
    }

    /// <summary>New recovery codes replace the old ones (which stop working).</summary>
    public async Task<IReadOnlyList<string>> NewRecoveryCodesAsync(ShepherdUser user) =>
        (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!.ToList();

    public Task<int> RecoveryCodesLeftAsync(ShepherdUser user) => users.CountRecoveryCodesAsync(user);

    /// <summary>
    /// Checks a code at sign-in: six digits from the authenticator app, or one of the recovery codes (used up by this).
    /// A wrong code counts as a failed attempt toward the lockout.
    /// </summary>
    public async Task<bool> VerifyAsync(ShepherdUser user, string code)
    {
        code = code.Trim();
        var digits = Digits(code);
        var ok = digits.Length == 6 && digits.All(char.IsAsciiDigit)
            ? await VerifyAppCodeAsync(user, digits)
            : code.Length is > 0 and <= 64 && (await users.RedeemTwoFactorRecoveryCodeAsync(user, code.Replace(" ", "", StringComparison.Ordinal))).Succeeded;
        if (ok)
        {
            await users.ResetAccessFailedCountAsync(user);
        }
        else
        {
            await users.AccessFailedAsync(user);
        }
        return ok;
    }

    /// <summary>
    /// Turns two-factor sign-in off and forgets the key and recovery codes: for a lost phone, from `shepherd admin reset-2fa`
    /// or by the user with a valid code. Open sessions end (the security stamp changes).
    /// </summary>
    public async Task TurnOffAsync(ShepherdUser user, string actor, string? ipAddress, CancellationToken cancellationToken)
    {
        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);
        await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 0);
        await users.UpdateSecurityStampAsync(user);
        await sessions.RecordAsync(await sessions.MembershipsAsync(user.Id, cancellationToken), user, AuditAction.TwoFactorChanged, ipAddress, cancellationToken, "disabled by " + actor);
    }

    /// <summary>
    /// A code from the authenticator app, accepted once: Identity takes any code of the steps around now, so without a
    /// memory a code seen over a shoulder or in a phished form would open a second session within those minutes.
    /// </summary>
    private async Task<bool> VerifyAppCodeAsync(ShepherdUser user, string digits)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        if (await users.GetAuthenticationTokenAsync(user, TokenProvider, LastCodeToken) is { } last
            && last.Split(' ') is [var code, var at] && code == digits
            && long.TryParse(at, NumberStyles.None, CultureInfo.InvariantCulture, out var usedAt) && now - usedAt < ReplayWindow.TotalSeconds)
        {
            return false;
        }
        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, digits))
        {
            return false;
        }
        await users.SetAuthenticationTokenAsync(user, TokenProvider, LastCodeToken, string.Create(CultureInfo.InvariantCulture, $"{digits} {now}"));
        return true;
    }

    private static string Digits(string code) => code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);

    private static string Grouped(string key)
    {
        var text = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            text.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }
        return text.ToString().TrimEnd().ToLower(CultureInfo.InvariantCulture);
    }
}
