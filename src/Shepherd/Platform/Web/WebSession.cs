using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Shepherd.Platform.Accounts;

namespace Shepherd.Platform.Web;

/// <summary>
/// The browser session of the web UI: a cookie holding the claims of the account (e-mail and password) or of the API
/// token it was opened with, re-checked against the database every <see cref="WebSessionOptions.SessionRevalidation"/>:
/// a changed role takes effect, and a removed membership, a changed password, "sign out everywhere" or a revoked token
/// ends the session.
/// </summary>
public static partial class WebSession
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = "shepherd.session";
    public const string SignInPath = "/signin";
    public const string SignOutPath = "/signout";

    /// <summary>When the token behind the session was last found valid (Unix milliseconds).</summary>
    public const string CheckedAtClaim = "checked_at";

    /// <summary>A token opens a browser session only to see the Operations page: it needs the monitoring scope or a platform administrator.</summary>
    public static bool MaySignIn(IEnumerable<Claim> claims) => claims.Any(c =>
        (c.Type == ApiScopes.ClaimType && c.Value == ApiScopes.Monitoring)
        || (c.Type == ApiScopes.PlatformClaim && c.Value == ApiScopes.PlatformAdministrator));

    public static ClaimsPrincipal Principal(IEnumerable<Claim> tokenClaims, DateTimeOffset checkedAt) =>
        new(new ClaimsIdentity(
            [.. tokenClaims, new Claim(CheckedAtClaim, checkedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))],
            Scheme));

    /// <summary>
    /// Opens the session and goes to <paramref name="destination"/> (a local address). The cookie is a new encrypted
    /// ticket made here, replacing whatever the browser held: a session id planted before sign-in cannot carry over.
    /// </summary>
    public static async Task<IActionResult> OpenAsync(PageModel page, IEnumerable<Claim> claims, TimeProvider clock, string destination)
    {
        await page.HttpContext.SignInAsync(Scheme, Principal(claims, clock.GetUtcNow()), new AuthenticationProperties { IsPersistent = false });
        return page.LocalRedirect(destination);
    }

    /// <summary>
    /// This session takes the user's new security stamp after it changed it itself (password, two-factor, sign out
    /// everywhere), so it survives the change that ends every other session.
    /// </summary>
    public static async Task KeepAfterStampChangeAsync(PageModel page, AccountSessions accounts, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await accounts.ReissueAsync(page.User, cancellationToken) is { } claims)
        {
            await page.HttpContext.SignInAsync(Scheme, Principal(claims, clock.GetUtcNow()));
        }
    }

    public static void Configure(CookieAuthenticationOptions options, WebSessionOptions session)
    {
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.ExpireTimeSpan = session.SessionLifetime;
        options.SlidingExpiration = true;
        options.LoginPath = SignInPath;
        options.LogoutPath = SignOutPath;
        options.Events.OnValidatePrincipal = RevalidateAsync;
        // The API answers 401/403 problem details, never a redirect to a page.
        options.Events.OnRedirectToLogin = c => Answer(c, StatusCodes.Status401Unauthorized);
        options.Events.OnRedirectToAccessDenied = c => Answer(c, StatusCodes.Status403Forbidden);
    }

    private static Task Answer(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (status == StatusCodes.Status401Unauthorized && !WebSchemeSelector.IsApi(context.Request.Path))
        {
            context.Response.Redirect(context.RedirectUri);
        }
        else
        {
            context.Response.StatusCode = status;
        }
        return Task.CompletedTask;
    }

    private static async Task RevalidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var every = services.GetRequiredService<IOptions<WebSessionOptions>>().Value.SessionRevalidation;
        var principal = context.Principal!;
        if (long.TryParse(principal.FindFirstValue(CheckedAtClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var checkedAt)
            && now - DateTimeOffset.FromUnixTimeMilliseconds(checkedAt) < every)
        {
            return;
        }

        IReadOnlyList<Claim>? claims;
        try
        {
            claims = principal.HasClaim(c => c.Type == ApiScopes.TokenIdClaim)
                ? await RecheckTokenAsync(principal, services, context.HttpContext.RequestAborted)
                : await services.GetRequiredService<SessionClaims>().RefreshAsync(principal, null, context.HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database is unreachable: keep the session until the next check. The Operations page is what an
            // operator opens precisely then, and the session was valid when last checked.
            LogRecheckFailed(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebSession)), e);
            return;
        }
        if (claims is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }
        context.ReplacePrincipal(Principal(claims, now));
        context.ShouldRenew = true;
    }

    /// <summary>A session opened with an API token lives as long as the token stays valid and may open the page.</summary>
    private static async Task<IReadOnlyList<Claim>?> RecheckTokenAsync(ClaimsPrincipal principal, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (!long.TryParse(principal.FindFirstValue(ApiScopes.TokenIdClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var tokenId))
        {
            return null;
        }
        var validation = await services.GetRequiredService<ApiTokenValidator>().ValidateAsync(tokenId, cancellationToken);
        return validation.IsValid && MaySignIn(validation.Claims) ? validation.Claims : null;
    }
    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not re-check a web session's token; the session is kept until the next check")]
    private static partial void LogRecheckFailed(ILogger logger, Exception exception);
}
