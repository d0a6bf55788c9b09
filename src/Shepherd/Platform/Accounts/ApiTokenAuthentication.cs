using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Shepherd.Platform.Accounts;

/// <summary>
/// `Authorization: Bearer shp_…`: looks the token up by its hash (<see cref="ApiTokenValidator"/>); revoked, expired or
/// unknown tokens fail. The token's organization becomes the request's tenant.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokenValidator tokens)
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
        var validation = await tokens.ValidateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (validation.Outcome == TokenOutcome.Malformed)
        {
            return AuthenticateResult.Fail("Malformed token.");
        }
        if (!validation.IsValid)
        {
            return AuthenticateResult.Fail("Unknown, revoked or expired token.");
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(validation.Claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}
