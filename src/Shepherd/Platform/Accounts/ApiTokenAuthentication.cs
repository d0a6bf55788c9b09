using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shepherd.Data;
using Shepherd.Data.Audit;

namespace Shepherd.Platform.Accounts;

/// <summary>
/// `Authorization: Bearer shp_…`: looks the token up by its hash; revoked, expired or unknown tokens fail.
/// The token's organization becomes the request's tenant.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ShepherdDbContextFactory contexts,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    /// <summary>Last-used times are written at most this often per token, so reads do not become writes.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var presented = header["Bearer ".Length..].Trim();
        if (!presented.StartsWith(TokenHasher.Prefix, StringComparison.Ordinal) || presented.Length > 100)
        {
            return AuthenticateResult.Fail("Malformed token.");
        }

        var hash = TokenHasher.Hash(presented);
        var now = clock.GetUtcNow();
        await using var db = contexts.Create(null, AuditActor.System);
        var token = await db.ApiTokens.IgnoreQueryFilters().AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Select(t => new { t.Id, t.OrganizationId, t.UserId, t.Name, t.Scopes, t.ExpiresAt, t.RevokedAt, t.LastUsedAt, t.User!.Email, t.User.IsPlatformAdministrator })
            .FirstOrDefaultAsync(Context.RequestAborted);
        if (token is null || token.RevokedAt is not null || token.ExpiresAt <= now)
        {
            return AuthenticateResult.Fail("Unknown, revoked or expired token.");
        }
        if (token.LastUsedAt is null || now - token.LastUsedAt > LastUsedResolution)
        {
            await db.ApiTokens.IgnoreQueryFilters().Where(t => t.Id == token.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, token.UserId.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, token.Email ?? $"user {token.UserId}"),
            new(ApiScopes.OrganizationClaim, token.OrganizationId.ToString(CultureInfo.InvariantCulture)),
            new(ApiScopes.TokenClaim, token.Name),
        };
        claims.AddRange(token.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim(ApiScopes.ClaimType, s)));
        if (token.IsPlatformAdministrator)
        {
            claims.Add(new Claim(ApiScopes.PlatformClaim, ApiScopes.PlatformAdministrator));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}
