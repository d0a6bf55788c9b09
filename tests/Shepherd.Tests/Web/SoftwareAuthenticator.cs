using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Shepherd.Tests.Web;

/// <summary>
/// What a browser and its authenticator do in a WebAuthn ceremony, in software: one ECDSA P-256 key per credential,
/// "none" attestation, authenticator data with the RP ID hash, flags, a counter and the attested credential data (CBOR
/// written by hand: two small maps). It reads the options JSON the server sent and answers with the credential JSON a
/// browser's <c>PublicKeyCredential.toJSON()</c> gives. Each knob lets a test break one thing.
/// </summary>
public sealed class SoftwareAuthenticator : IDisposable
{
    private const byte UserPresent = 0x01;
    private const byte UserVerified = 0x04;
    private const byte AttestedCredentialData = 0x40;

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private uint _counter;

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>The user handle the server gave at registration (the user's id), returned with every assertion.</summary>
    public byte[]? UserHandle { get; private set; }

    public string Id => Base64Url.EncodeToString(CredentialId);

    /// <summary>Answers <c>navigator.credentials.create</c> with the server's creation options.</summary>
    public string Create(string optionsJson, string origin, string? rpIdOverride = null)
    {
        var options = JsonNode.Parse(optionsJson)!;
        var rpId = rpIdOverride ?? options["rp"]!["id"]!.GetValue<string>();
        UserHandle = Base64Url.DecodeFromChars(options["user"]!["id"]!.GetValue<string>());
        var clientData = ClientData("webauthn.create", options["challenge"]!.GetValue<string>(), origin);

        var parameters = _key.ExportParameters(false);
        byte[] coseKey =
        [
            0xA5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01,
            0x21, 0x58, 0x20, .. parameters.Q.X!,
            0x22, 0x58, 0x20, .. parameters.Q.Y!,
        ];
        var idLength = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(idLength, (ushort)CredentialId.Length);
        byte[] authenticatorData =
        [
            .. AuthenticatorHeader(rpId, UserPresent | UserVerified | AttestedCredentialData),
            .. new byte[16], // AAGUID: none
            .. idLength, .. CredentialId, .. coseKey,
        ];
        byte[] attestationObject =
        [
            0xA3,
            .. Text("fmt"), .. Text("none"),
            .. Text("attStmt"), 0xA0,
            .. Text("authData"), .. Bytes(authenticatorData),
        ];
        return Credential(new JsonObject
        {
            ["clientDataJSON"] = Base64Url.EncodeToString(clientData),
            ["attestationObject"] = Base64Url.EncodeToString(attestationObject),
            ["transports"] = new JsonArray("internal"),
        });
    }

    /// <summary>Answers <c>navigator.credentials.get</c> with the server's request options.</summary>
    public string Get(
        string optionsJson, string origin, string? rpIdOverride = null, bool tamperSignature = false, string? challengeOverride = null, bool userVerified = true)
    {
        var options = JsonNode.Parse(optionsJson)!;
        var rpId = rpIdOverride ?? options["rpId"]!.GetValue<string>();
        var clientData = ClientData("webauthn.get", challengeOverride ?? options["challenge"]!.GetValue<string>(), origin);
        var authenticatorData = AuthenticatorHeader(rpId, (byte)(UserPresent | (userVerified ? UserVerified : 0)));
        var signature = _key.SignData([.. authenticatorData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        if (tamperSignature)
        {
            signature[^1] ^= 0x01;
        }
        return Credential(new JsonObject
        {
            ["clientDataJSON"] = Base64Url.EncodeToString(clientData),
            ["authenticatorData"] = Base64Url.EncodeToString(authenticatorData),
            ["signature"] = Base64Url.EncodeToString(signature),
            ["userHandle"] = UserHandle is null ? null : Base64Url.EncodeToString(UserHandle),
        });
    }

    /// <summary>The challenge of an options JSON (to answer another ceremony's challenge on purpose).</summary>
    public static string Challenge(string optionsJson) => JsonNode.Parse(optionsJson)!["challenge"]!.GetValue<string>();

    public void Dispose() => _key.Dispose();

    private string Credential(JsonObject response) => new JsonObject
    {
        ["id"] = Id,
        ["rawId"] = Id,
        ["type"] = "public-key",
        ["authenticatorAttachment"] = "platform",
        ["clientExtensionResults"] = new JsonObject(),
        ["response"] = response,
    }.ToJsonString();

    private static byte[] ClientData(string type, string challenge, string origin) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["type"] = type, ["challenge"] = challenge, ["origin"] = origin, ["crossOrigin"] = false });

    /// <summary>rpIdHash, flags and the signature counter (incremented on every use, as a hardware key does).</summary>
    private byte[] AuthenticatorHeader(string rpId, int flags)
    {
        var counter = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(counter, ++_counter);
        return [.. SHA256.HashData(Encoding.UTF8.GetBytes(rpId)), (byte)flags, .. counter];
    }

    private static byte[] Text(string text) => [(byte)(0x60 + text.Length), .. Encoding.ASCII.GetBytes(text)];

    private static byte[] Bytes(byte[] bytes) => bytes.Length switch
    {
        < 24 => [(byte)(0x40 + bytes.Length), .. bytes],
        < 256 => [0x58, (byte)bytes.Length, .. bytes],
        _ => [0x59, (byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes],
    };
}

/// <summary>The browser side of Shepherd's passkey pages: fetch the options with the page's antiforgery token, answer, post the form.</summary>
public static class PasskeyFlow
{
    /// <summary>The origin the test server's pages are served from (its Host is localhost, over http).</summary>
    public const string Origin = "http://localhost";

    private static CancellationToken Cancel => Xunit.TestContext.Current.CancellationToken;

    /// <summary>Posts for the options JSON from <paramref name="page"/> (as the page's script does) and returns it with the page's HTML.</summary>
    public static async Task<(string Options, string Html)> OptionsAsync(HttpClient browser, string page, string optionsUrl)
    {
        var html = await browser.GetStringAsync(page, Cancel);
        using var answer = await browser.PostAsync(optionsUrl, WebForms.Form(html, []), Cancel);
        var body = await answer.Content.ReadAsStringAsync(Cancel);
        Shouldly.ShouldBeTestExtensions.ShouldBe(answer.StatusCode, System.Net.HttpStatusCode.OK, body);
        return (body, html);
    }

    /// <summary>Adds a passkey on the account page of the signed-in <paramref name="browser"/>.</summary>
    public static async Task<HttpResponseMessage> RegisterAsync(HttpClient browser, SoftwareAuthenticator authenticator, string name)
    {
        var (options, html) = await OptionsAsync(browser, Platform.Web.PasskeysModel.Path, Platform.Web.PasskeysModel.OptionsPath);
        return await browser.PostAsync(Platform.Web.PasskeysModel.Path + "?handler=Add",
            WebForms.Form(html, new() { ["Name"] = name, ["CredentialJson"] = authenticator.Create(options, Origin) }), Cancel);
    }

    /// <summary>Signs in with a passkey from /signin (or the second step's page), the answer built by <paramref name="answer"/> from the options.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(
        HttpClient browser, Func<string, string> answer, string page = "/signin", string optionsUrl = Platform.Web.PasskeySignInModel.OptionsPath)
    {
        var (options, html) = await OptionsAsync(browser, page, optionsUrl);
        return await PostCredentialAsync(browser, html, answer(options));
    }

    public static Task<HttpResponseMessage> PostCredentialAsync(HttpClient browser, string html, string credentialJson) =>
        browser.PostAsync(Platform.Web.PasskeySignInModel.Path, WebForms.Form(html, new() { ["CredentialJson"] = credentialJson }), Cancel);
}
