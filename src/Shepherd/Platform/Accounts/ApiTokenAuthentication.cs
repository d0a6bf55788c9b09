using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Shepherd.Platform.Accounts;

/// <summary>
/// `Authorization: Bearer shp_…`: looks the token up by its hash (<see cref="ApiTokenValidator"/>); revoked, expired or
/// unknown tokens fail. The token's organization becomes the request's tenant. While the database does not answer,
/// recently validated monitoring tokens keep the monitoring scope only (<see cref="RecentTokenValidations"/>) and other
/// tokens fail: never a 500.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokenValidator tokens,
    RecentTokenValidations recent)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var presented = header["Bearer ".Length..].Trim();
        if (!ApiTokenValidator.IsWellFormed(presented))
        {
            return AuthenticateResult.Fail("Malformed token.");
        }
        var hash = TokenHasher.Hash(presented);
        TokenValidation validation;
        try
        {
            validation = await tokens.ValidateAsync(presented, Context.RequestAborted);
        }
        catch (Exception e) when (ApiTokenValidator.IsDatabaseFailure(e) && !Context.RequestAborted.IsCancellationRequested)
        {
            return DuringOutage(hash, e);
        }
        if (!validation.IsValid)
        {
            recent.Forget(hash);
            return AuthenticateResult.Fail("Unknown, revoked or expired token.");
        }
        recent.Remember(hash, validation.Claims);
        var principal = new ClaimsPrincipal(new ClaimsIdentity(validation.Claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>
    /// The database does not answer, so the token cannot be checked. A monitoring token (or a platform administrator's)
    /// the database validated within <see cref="RecentTokenValidations.OutageGrace"/> keeps the monitoring scope only, so
    /// health and metrics stay readable; every other token fails (401 where a token is needed, public endpoints answer).
    /// </summary>
    private AuthenticateResult DuringOutage(string hash, Exception e)
    {
        var claims = recent.Recent(hash);
        var monitoring = claims is not null && claims.Any(c =>
            (c.Type == ApiScopes.ClaimType && c.Value == ApiScopes.Monitoring)
            || (c.Type == ApiScopes.PlatformClaim && c.Value == ApiScopes.PlatformAdministrator));
        if (recent.ShouldWarn())
        {
            Logger.LogWarning(
                "The database does not answer ({Error}): API tokens cannot be checked; only monitoring tokens validated in the last {GraceMinutes} minutes are accepted, for monitoring only",
                e.GetBaseException().Message, RecentTokenValidations.OutageGrace.TotalMinutes);
        }
        if (!monitoring)
        {
            return AuthenticateResult.Fail("The database does not answer: the token cannot be checked.");
        }
        var outage = claims!.Where(c => c.Type is not ApiScopes.ClaimType and not ApiScopes.PlatformClaim)
            .Select(c => new Claim(c.Type, c.Value))
            .Append(new Claim(ApiScopes.ClaimType, ApiScopes.Monitoring));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(outage, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}
