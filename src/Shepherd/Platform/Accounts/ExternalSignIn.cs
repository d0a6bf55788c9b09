using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.Google;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Platform.Security;

namespace Shepherd.Platform.Accounts;

/// <summary>One configured external provider: its scheme (also the login provider stored in user_logins) and button text.</summary>
public sealed record ExternalProvider(string Scheme, string DisplayName);

/// <summary>
/// The external providers this instance offers (<c>Shepherd:Authentication</c>): Google and any number of OpenID Connect
/// providers. A scheme exists only when it is configured.
/// </summary>
public sealed class ExternalProviders(IReadOnlyList<ExternalProvider> providers)
{
    public IReadOnlyList<ExternalProvider> All => providers;

    public ExternalProvider? Find(string? scheme) => providers.FirstOrDefault(p => p.Scheme == scheme);

    /// <summary>"Google or Keycloak", for messages; null when none is configured.</summary>
    public string? Names => providers.Count == 0 ? null : string.Join(" or ", providers.Select(p => p.DisplayName));
}

/// <summary>
/// Registers the external sign-in schemes from configuration: authorization code flow with PKCE, tokens not saved, the
/// result held for a few minutes in a cookie of its own (<see cref="Scheme"/>) until the callback page has read it.
/// Bad settings stop the server at start with a message naming the setting.
/// </summary>
public static partial class ExternalSignIn
{
    public const string Section = "Shepherd:Authentication";
    public const string GoogleScheme = GoogleDefaults.AuthenticationScheme;

    /// <summary>The short-lived cookie between the provider's callback and Shepherd's own callback page; never a session.</summary>
    public const string Scheme = "shepherd.external";
    public const string CookieName = "shepherd.external";
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Shepherd's page the handlers return to (success) or send the browser to (failure).</summary>
    public const string CallbackPath = "/signin/external";
    public const string ProviderItem = "shepherd.provider";
    public const string ReturnUrlItem = "shepherd.returnUrl";
    public const string InvitationItem = "shepherd.invitation";
    public const string MetricStep = "external";

    public const string EmailVerifiedClaim = "email_verified";
    public const string EmailClaim = "email";
    public const string SubjectClaim = "sub";

    private const string IdTokenItem = "shepherd.external.idtoken";
    private static readonly string[] StandardScopes = ["openid", "profile", "email"];

    public sealed record OpenIdConnectSettings(string Key, Uri Authority, string ClientId, string? ClientSecret, string DisplayName, IReadOnlyList<string> Scopes);

    public sealed record Settings(string? GoogleClientId, string? GoogleClientSecret, IReadOnlyList<OpenIdConnectSettings> OpenIdConnect)
    {
        public bool Google => GoogleClientId is not null;
    }

    /// <summary>Reads and checks <c>Shepherd:Authentication</c>; throws with the setting's name when it is wrong.</summary>
    public static Settings Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var google = section.GetSection("Google");
        string? googleId = null, googleSecret = null;
        if (google.Exists() && (google["ClientId"] is { Length: > 0 } || google["ClientSecret"] is { Length: > 0 }))
        {
            googleId = Required(google, "ClientId");
            googleSecret = Required(google, "ClientSecret");
        }
        var providers = new List<OpenIdConnectSettings>();
        foreach (var provider in section.GetSection("OpenIdConnect").GetChildren())
        {
            var key = provider.Key;
            if (!KeyPattern().IsMatch(key) || string.Equals(key, GoogleScheme, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"{provider.Path}: the provider's key must be 1-40 letters, digits, '-' or '_', and not 'Google' (configure Google under {Section}:Google).");
            }
            var authorityText = Required(provider, "Authority");
            if (!Uri.TryCreate(authorityText, UriKind.Absolute, out var authority)
                || (authority.Scheme != Uri.UriSchemeHttps && !(authority.Scheme == Uri.UriSchemeHttp && IsLoopback(authority))))
            {
                throw new InvalidOperationException(
                    $"{provider.Path}:Authority must be an https:// address (http:// only for a provider on this machine's loopback); it is '{authorityText}'.");
            }
            var scopes = (provider["Scopes"] ?? "").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
            providers.Add(new OpenIdConnectSettings(key, authority, Required(provider, "ClientId"),
                provider["ClientSecret"] is { Length: > 0 } secret ? secret : null,
                provider["DisplayName"] is { Length: > 0 } name ? name : key, scopes));
        }
        return new Settings(googleId, googleSecret, providers);
    }

    /// <summary>The configured schemes, and <see cref="ExternalProviders"/> listing them (empty when none is configured).</summary>
    public static void Add(IServiceCollection services, AuthenticationBuilder authentication, IConfiguration configuration)
    {
        var settings = Read(configuration);
        var providers = new List<ExternalProvider>();
        if (settings.Google)
        {
            providers.Add(new ExternalProvider(GoogleScheme, "Google"));
        }
        providers.AddRange(settings.OpenIdConnect.Select(p => new ExternalProvider(p.Key, p.DisplayName)));
        services.AddSingleton(new ExternalProviders(providers));
        if (providers.Count == 0)
        {
            return;
        }

        authentication.AddCookie(Scheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            // Lax: the provider's redirect back is a top-level navigation from its site.
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = CallbackPath;
            o.ExpireTimeSpan = CookieLifetime;
            o.SlidingExpiration = false;
        });
        if (settings.Google)
        {
            authentication.AddGoogle(GoogleScheme, "Google", o =>
            {
                o.ClientId = settings.GoogleClientId!;
                o.ClientSecret = settings.GoogleClientSecret!;
                o.SignInScheme = Scheme;
                o.SaveTokens = false;
                o.UsePkce = true;
                // The v2 user info names it verified_email, v3 and OpenID Connect email_verified.
                o.ClaimActions.MapJsonKey(EmailVerifiedClaim, "verified_email");
                o.ClaimActions.MapJsonKey(EmailVerifiedClaim, EmailVerifiedClaim);
                o.ClaimActions.MapJsonKey(SubjectClaim, "id");
                o.ClaimActions.MapJsonKey(SubjectClaim, SubjectClaim);
                o.ClaimActions.MapJsonKey(EmailClaim, EmailClaim);
                Cookies(o);
                o.Events.OnRemoteFailure = RemoteFailureAsync;
            });
        }
        foreach (var provider in settings.OpenIdConnect)
        {
            authentication.AddOpenIdConnect(provider.Key, provider.DisplayName, o =>
            {
                o.Authority = provider.Authority.ToString().TrimEnd('/');
                o.RequireHttpsMetadata = provider.Authority.Scheme == Uri.UriSchemeHttps;
                o.ClientId = provider.ClientId;
                o.ClientSecret = provider.ClientSecret;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.ResponseMode = OpenIdConnectResponseMode.Query;
                o.UsePkce = true;
                o.SaveTokens = false;
                o.SignInScheme = Scheme;
                o.CallbackPath = "/signin-oidc-" + provider.Key.ToLowerInvariant();
                o.SignedOutCallbackPath = "/signout-oidc-" + provider.Key.ToLowerInvariant();
                o.RemoteSignOutPath = "/signout-remote-oidc-" + provider.Key.ToLowerInvariant();
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = false;
                o.DisableTelemetry = true;
                o.Scope.Clear();
                foreach (var scope in StandardScopes.Concat(provider.Scopes).Distinct(StringComparer.Ordinal))
                {
                    o.Scope.Add(scope);
                }
                Cookies(o);
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.Events.OnTokenResponseReceived = c =>
                {
                    // Kept (unvalidated) only to say in the audit log whose sign-in failed when the id token is refused.
                    c.HttpContext.Items[IdTokenItem] = c.TokenEndpointResponse.IdToken;
                    return Task.CompletedTask;
                };
                o.Events.OnRemoteFailure = RemoteFailureAsync;
            });
        }
    }

    private static void Cookies(RemoteAuthenticationOptions options)
    {
        // The answer comes back as a top-level GET (query response mode): Lax suffices, and http works on a loopback test.
        options.CorrelationCookie.SameSite = SameSiteMode.Lax;
        options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.RemoteAuthenticationTimeout = CookieLifetime * 2;
    }

    /// <summary>
    /// The provider's answer was refused (bad signature, issuer, audience, lifetime, nonce or state, or the person
    /// cancelled): counted, logged (the kind of failure, never a token), audited for the linked user when the id token
    /// names one, and the browser goes to a page that says so.
    /// </summary>
    private static async Task RemoteFailureAsync(RemoteFailureContext context)
    {
        context.HandleResponse();
        var http = context.HttpContext;
        var services = http.RequestServices;
        var scheme = context.Scheme.Name;
        var ip = AuditLog.ClientIp(http);
        services.GetRequiredService<SecurityMetrics>().SignIn("failed", MetricStep);
        var reason = context.Failure?.GetType().Name ?? "unknown";
        LogRemoteFailure(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ExternalSignIn)), scheme, reason, ip);
        try
        {
            if (http.Items[IdTokenItem] is string idToken && UnverifiedSubject(idToken) is { } subject)
            {
                var users = services.GetRequiredService<UserManager<ShepherdUser>>();
                if (await users.FindByLoginAsync(scheme, subject) is { } user)
                {
                    var sessions = services.GetRequiredService<SessionClaims>();
                    var memberships = await sessions.MembershipsAsync(user.Id, http.RequestAborted);
                    await sessions.RecordAsync(memberships, user, AuditAction.SignInFailed, ip, http.RequestAborted,
                        $"{scheme}: answer refused ({reason})");
                }
            }
        }
        finally
        {
            http.Response.Redirect(CallbackPath + "?failed=" + Uri.EscapeDataString(scheme));
        }
    }

    /// <summary>The subject an id token claims, read without trusting it (only to attribute a refused sign-in).</summary>
    private static string? UnverifiedSubject(string idToken)
    {
        try
        {
            return new JsonWebToken(idToken).TryGetPayloadValue<string>(SubjectClaim, out var sub) && sub.Length is > 0 and <= 255 ? sub : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static string Required(IConfigurationSection section, string name) =>
        section[name] is { Length: > 0 } value ? value : throw new InvalidOperationException($"{section.Path}:{name} is required.");

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex KeyPattern();

    [LoggerMessage(Level = LogLevel.Warning, EventName = "ExternalSignInFailed", Message = "External sign-in with {Provider} was refused ({Reason}) from {ClientIp}")]
    private static partial void LogRemoteFailure(ILogger logger, string provider, string reason, string? clientIp);
}
