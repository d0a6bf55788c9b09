using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Platform.Mail;

namespace Shepherd.Platform.Accounts;

/// <summary>
/// A user's passkeys (WebAuthn credentials) through Identity's passkey store and handler: registering one (the
/// attestation ceremony), renaming, removing, each audited as a two-factor change. Shepherd stores the public key, the
/// credential id and the signature counter, never a secret. The ceremonies' cryptography is Identity's.
/// </summary>
public sealed class Passkeys(UserManager<ShepherdUser> users, SessionClaims sessions, AuditLog audit)
{
    public const int MaxNameLength = 100;

    /// <summary>The most a browser's credential JSON may weigh; a real one is about 1-2 KB.</summary>
    public const int MaxCredentialJsonLength = 16 * 1024;

    public const string EntityType = "Passkey";

    public async Task<IReadOnlyList<UserPasskeyInfo>> ListAsync(ShepherdUser user) =>
        [.. (await users.GetPasskeysAsync(user)).OrderBy(p => p.CreatedAt)];

    /// <summary>Creation options for the browser (<c>navigator.credentials.create</c>) and the state to check its answer with.</summary>
    public static Task<PasskeyCreationOptionsResult> CreationOptionsAsync(HttpContext http, ShepherdUser user)
    {
        var name = user.Email ?? user.UserName ?? $"user {user.Id}";
        return Handler(http).MakeCreationOptionsAsync(new PasskeyUserEntity { Id = UserHandle(user), Name = name, DisplayName = name }, http);
    }

    /// <summary>Request options for <c>navigator.credentials.get</c>: any discoverable passkey of this site, or <paramref name="user"/>'s.</summary>
    public static Task<PasskeyRequestOptionsResult> RequestOptionsAsync(HttpContext http, ShepherdUser? user) =>
        Handler(http).MakeRequestOptionsAsync(user, http);

    /// <summary>Checks the browser's answer to the creation options and stores the passkey; the reason it was refused, or null.</summary>
    public async Task<string?> AddAsync(
        HttpContext http, ShepherdUser user, string name, string credentialJson, string attestationState, string? ipAddress, CancellationToken cancellationToken)
    {
        var result = await Handler(http).PerformAttestationAsync(new PasskeyAttestationContext
        {
            HttpContext = http,
            CredentialJson = credentialJson,
            AttestationState = attestationState,
        });
        if (!result.Succeeded || result.UserEntity.Id != UserHandle(user))
        {
            return "The browser's passkey was not accepted"
                + (result.Failure is { } failure ? ": " + failure.Message.TrimEnd('.') + "." : ".")
                + " Try again, or use another authenticator.";
        }
        result.Passkey.Name = name;
        var stored = await users.AddOrUpdatePasskeyAsync(user, result.Passkey);
        if (!stored.Succeeded)
        {
            return "The passkey could not be saved: " + string.Join(" ", stored.Errors.Select(e => e.Description));
        }
        await RecordAsync(user, "added", name, ipAddress, cancellationToken);
        return null;
    }

    /// <summary>Renames one of the user's passkeys; false when the user has no such passkey.</summary>
    public async Task<bool> RenameAsync(ShepherdUser user, byte[] credentialId, string name, string? ipAddress, CancellationToken cancellationToken)
    {
        if (await users.GetPasskeyAsync(user, credentialId) is not { } passkey)
        {
            return false;
        }
        var previous = passkey.Name;
        passkey.Name = name;
        await users.AddOrUpdatePasskeyAsync(user, passkey);
        await RecordAsync(user, "renamed", name, ipAddress, cancellationToken, previous);
        return true;
    }

    /// <summary>
    /// Removes one of the user's passkeys and changes the security stamp (sessions opened with it end); false when the
    /// user has no such passkey.
    /// </summary>
    public async Task<bool> RemoveAsync(ShepherdUser user, byte[] credentialId, string? ipAddress, CancellationToken cancellationToken)
    {
        if (await users.GetPasskeyAsync(user, credentialId) is not { } passkey)
        {
            return false;
        }
        await users.RemovePasskeyAsync(user, credentialId);
        await users.UpdateSecurityStampAsync(user);
        await RecordAsync(user, "removed", passkey.Name, ipAddress, cancellationToken);
        return true;
    }

    /// <summary>Removes every passkey of the user (account recovery: <c>shepherd admin reset-2fa</c>); how many there were.</summary>
    public async Task<int> RemoveAllAsync(ShepherdUser user, string actor, string? ipAddress, CancellationToken cancellationToken)
    {
        var passkeys = await users.GetPasskeysAsync(user);
        foreach (var passkey in passkeys)
        {
            await users.RemovePasskeyAsync(user, passkey.CredentialId);
            await RecordAsync(user, "removed by " + actor, passkey.Name, ipAddress, cancellationToken);
        }
        if (passkeys.Count > 0)
        {
            await users.UpdateSecurityStampAsync(user);
        }
        return passkeys.Count;
    }

    /// <summary>The credential id a browser's credential JSON names (its <c>id</c>, base64url), or null when there is none.</summary>
    public static byte[]? CredentialId(string credentialJson)
    {
        try
        {
            using var json = JsonDocument.Parse(credentialJson);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                ? FromBase64Url(id.GetString()!)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="credentialJson"/> has the shape of a browser's PublicKeyCredential JSON with the response
    /// fields of the ceremony (<paramref name="responseFields"/>); a clear reason when it has not.
    /// </summary>
    public static string? ShapeProblem(string? credentialJson, params string[] responseFields)
    {
        if (string.IsNullOrWhiteSpace(credentialJson))
        {
            return "No passkey was sent. Use the passkey button (it needs JavaScript).";
        }
        if (credentialJson.Length > MaxCredentialJsonLength)
        {
            return "The passkey response is too large.";
        }
        try
        {
            using var json = JsonDocument.Parse(credentialJson);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || FromBase64Url(id.GetString()!) is null
                || !root.TryGetProperty("response", out var response) || response.ValueKind != JsonValueKind.Object
                || responseFields.Any(f => !response.TryGetProperty(f, out var field) || field.ValueKind != JsonValueKind.String))
            {
                return "The passkey response is incomplete: it needs an id and the response fields " + string.Join(", ", responseFields) + ".";
            }
            return null;
        }
        catch (JsonException)
        {
            return "The passkey response is not valid JSON.";
        }
    }

    public static byte[]? FromBase64Url(string text)
    {
        if (text.Length is 0 or > 2048)
        {
            return null;
        }
        try
        {
            return Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static string ToBase64Url(byte[] bytes) => Base64Url.EncodeToString(bytes);

    /// <summary>The WebAuthn user handle: the user's id (no e-mail address or other personal data).</summary>
    private static string UserHandle(ShepherdUser user) => user.Id.ToString(CultureInfo.InvariantCulture);

    private static IPasskeyHandler<ShepherdUser> Handler(HttpContext http) => http.RequestServices.GetRequiredService<IPasskeyHandler<ShepherdUser>>();

    /// <summary>Audited as a two-factor change of the user, in each organization they belong to: the passkey's name, nothing secret.</summary>
    private async Task RecordAsync(ShepherdUser user, string change, string? name, string? ipAddress, CancellationToken cancellationToken, string? previousName = null)
    {
        var actor = new AuditActor(user.Id, user.Email ?? $"user {user.Id}", ipAddress);
        foreach (var membership in await sessions.MembershipsAsync(user.Id, cancellationToken))
        {
            await audit.RecordAsync(membership.OrganizationId, AuditAction.TwoFactorChanged, EntityType, user.Id.ToString(CultureInfo.InvariantCulture),
                new { passkey = change, name, previousName }, actor, ipAddress, cancellationToken);
        }
    }
}

/// <summary>
/// Identity's passkey handler and its options. The relying party (the server domain the passkeys belong to) and the one
/// accepted origin come from Shepherd:Mail:PublicUrl when it is set (the address people open Shepherd at), otherwise
/// from the request (its host and scheme, after the forwarded headers of a trusted proxy).
/// </summary>
public static class PasskeySetup
{
    public static IServiceCollection AddShepherdPasskeys(this IServiceCollection services)
    {
        services.AddScoped<IPasskeyHandler<ShepherdUser>, PasskeyHandler<ShepherdUser>>();
        services.AddScoped<Passkeys>();
        services.AddOptions<IdentityPasskeyOptions>().Configure<IOptions<MailOptions>>((o, mail) =>
        {
            var publicUrl = Uri.TryCreate(mail.Value.PublicUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url : null;
            o.ServerDomain = publicUrl?.IdnHost;
            o.UserVerificationRequirement = "required";
            o.ResidentKeyRequirement = "required";
            o.ValidateOrigin = c => ValueTask.FromResult(!c.CrossOrigin && IsExpectedOrigin(c.Origin, c.HttpContext, publicUrl));
        });
        return services;
    }

    /// <summary>The origin the browser reports must be Shepherd's own: the public URL's, or the request's scheme and host.</summary>
    public static bool IsExpectedOrigin(string? origin, HttpContext http, Uri? publicUrl)
    {
        var expected = publicUrl is not null
            ? publicUrl.GetLeftPart(UriPartial.Authority)
            : $"{http.Request.Scheme}://{http.Request.Host.Value}";
        return Uri.TryCreate(origin, UriKind.Absolute, out var actual) && Uri.TryCreate(expected, UriKind.Absolute, out var wanted)
            && actual.AbsolutePath == "/" && actual.Query.Length == 0
            && string.Equals(actual.GetLeftPart(UriPartial.Authority), wanted.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
    }
}
