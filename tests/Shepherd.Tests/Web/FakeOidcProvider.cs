using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Shepherd.Tests.Web;

/// <summary>
/// A tiny OpenID Connect provider on 127.0.0.1 (Kestrel), spoken to over real HTTP: discovery, JWKS with an RSA key,
/// an authorize endpoint that redirects back with a code, a token endpoint that checks the code, the redirect address,
/// the client secret and the PKCE verifier and issues an RS256 id token echoing the nonce, and a Google-style user info
/// endpoint. Each test says who signs in next, and how the answer is spoiled, through <see cref="Next"/>.
/// </summary>
public sealed class FakeOidcProvider : IAsyncDisposable
{
    public const string ClientId = "shepherd-test";
    public const string ClientSecret = "test-client-secret";
    public const string GoogleClientId = "shepherd-google";
    public const string GoogleClientSecret = "google-client-secret";
    private const string KeyId = "key-1";

    private readonly RSA _key = RSA.Create(2048);
    private readonly RSA _otherKey = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, Grant> _codes = new();
    private readonly ConcurrentDictionary<string, Identity> _accessTokens = new();
    private WebApplication _app = null!;

    /// <summary>Who the provider says signs in at the next authorize request, and what is wrong with its answer.</summary>
    public Identity Next { get; set; } = new("nobody");

    /// <summary>Token requests whose PKCE verifier matched the challenge of the authorize request.</summary>
    public int VerifiedPkceRedemptions => _verified;

    private int _verified;

    public string Issuer { get; private set; } = "";

    /// <param name="EmailVerified">null: the claim is left out.</param>
    public sealed record Identity(string Subject, string? Email = null, bool? EmailVerified = null)
    {
        public bool WrongKey { get; init; }
        public string? IssuerOverride { get; init; }
        public string? AudienceOverride { get; init; }
        public bool Expired { get; init; }
        public string? NonceOverride { get; init; }
    }

    private sealed record Grant(string ClientId, string RedirectUri, string? Nonce, string? Challenge, Identity Identity);

    public static async Task<FakeOidcProvider> StartAsync()
    {
        var provider = new FakeOidcProvider();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/.well-known/openid-configuration", provider.Discovery);
        app.MapGet("/jwks", provider.Jwks);
        app.MapGet("/authorize", provider.Authorize);
        app.MapPost("/token", provider.TokenAsync);
        app.MapGet("/userinfo", provider.UserInfo);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        provider.Issuer = address.TrimEnd('/');
        provider._app = app;
        return provider;
    }

    private static readonly string[] Code = ["code"], Public = ["public"], Rs256 = ["RS256"], S256 = ["S256"], Scopes = ["openid", "profile", "email"];

    private IResult Discovery() => Results.Json(new Dictionary<string, object>
    {
        ["issuer"] = Issuer,
        ["authorization_endpoint"] = Issuer + "/authorize",
        ["token_endpoint"] = Issuer + "/token",
        ["userinfo_endpoint"] = Issuer + "/userinfo",
        ["jwks_uri"] = Issuer + "/jwks",
        ["response_types_supported"] = Code,
        ["subject_types_supported"] = Public,
        ["id_token_signing_alg_values_supported"] = Rs256,
        ["code_challenge_methods_supported"] = S256,
        ["scopes_supported"] = Scopes,
    });

    private IResult Jwks()
    {
        var parameters = _key.ExportParameters(false);
        return Results.Json(new
        {
            keys = new[]
            {
                new { kty = "RSA", use = "sig", alg = "RS256", kid = KeyId, n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
            },
        });
    }

    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query;
        var redirectUri = query["redirect_uri"].ToString();
        var clientId = query["client_id"].ToString();
        if (query["response_type"] != "code" || clientId is not (ClientId or GoogleClientId) || redirectUri.Length == 0)
        {
            return Results.BadRequest("unsupported request");
        }
        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24));
        _codes[code] = new Grant(clientId, redirectUri, query["nonce"].FirstOrDefault(),
            query["code_challenge_method"] == "S256" ? query["code_challenge"].ToString() : null, Next);
        return Results.Redirect($"{redirectUri}?code={code}&state={Uri.EscapeDataString(query["state"].ToString())}");
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var (clientId, secret) = ClientCredentials(request, form);
        if (form["grant_type"] != "authorization_code" || !_codes.TryRemove(form["code"].ToString(), out var grant)
            || grant.ClientId != clientId || secret != (clientId == ClientId ? ClientSecret : GoogleClientSecret)
            || form["redirect_uri"] != grant.RedirectUri)
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: StatusCodes.Status400BadRequest);
        }
        var verifier = form["code_verifier"].ToString();
        if (grant.Challenge is null || Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.Challenge)
        {
            return Results.Json(new { error = "invalid_grant", error_description = "PKCE verifier does not match" }, statusCode: StatusCodes.Status400BadRequest);
        }
        Interlocked.Increment(ref _verified);
        var accessToken = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24));
        _accessTokens[accessToken] = grant.Identity;
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = accessToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = 300,
            ["id_token"] = IdToken(grant),
        });
    }

    /// <summary>Google's v2 user info: id, email, verified_email.</summary>
    private IResult UserInfo(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && _accessTokens.TryGetValue(header[7..], out var identity)
            ? Results.Json(new Dictionary<string, object?>
            {
                ["id"] = identity.Subject,
                ["email"] = identity.Email,
                ["verified_email"] = identity.EmailVerified,
            })
            : Results.Unauthorized();
    }

    private string IdToken(Grant grant)
    {
        var identity = grant.Identity;
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object> { ["sub"] = identity.Subject };
        if (identity.Email is not null)
        {
            claims["email"] = identity.Email;
        }
        if (identity.EmailVerified is { } verified)
        {
            claims["email_verified"] = verified;
        }
        if ((identity.NonceOverride ?? grant.Nonce) is { } nonce)
        {
            claims["nonce"] = nonce;
        }
        var key = new RsaSecurityKey(identity.WrongKey ? _otherKey : _key) { KeyId = KeyId };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = identity.IssuerOverride ?? Issuer,
            Audience = identity.AudienceOverride ?? grant.ClientId,
            Claims = claims,
            IssuedAt = identity.Expired ? now.AddHours(-2) : now,
            NotBefore = identity.Expired ? now.AddHours(-2) : now.AddSeconds(-5),
            Expires = identity.Expired ? now.AddHours(-1) : now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    private static (string? ClientId, string? Secret) ClientCredentials(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])).Split(':', 2);
            return (Uri.UnescapeDataString(pair[0]), pair.Length == 2 ? Uri.UnescapeDataString(pair[1]) : null);
        }
        return (form["client_id"].FirstOrDefault(), form["client_secret"].FirstOrDefault());
    }

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await _app.StopAsync(stop.Token);
        }
        await _app.DisposeAsync();
        _key.Dispose();
        _otherKey.Dispose();
    }
}
