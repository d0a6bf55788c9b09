using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
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
/// The token's organization becomes the request's tenant. While the database does not answer, recently validated
/// monitoring tokens keep the monitoring scope only (<see cref="RecentTokenValidations"/>) and other tokens fail: never a 500.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ShepherdDbContextFactory contexts,
    RecentTokenValidations recent,
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
        TokenRow? token;
        try
        {
            token = await FindAsync(hash);
        }
        catch (Exception e) when (IsDatabaseFailure(e) && !Context.RequestAborted.IsCancellationRequested)
        {
            return DuringOutage(hash, e);
        }
        if (token is null || token.RevokedAt is not null || token.ExpiresAt <= now)
        {
            recent.Forget(hash);
            return AuthenticateResult.Fail("Unknown, revoked or expired token.");
        }
        if (token.LastUsedAt is null || now - token.LastUsedAt > LastUsedResolution)
        {
            await TouchAsync(token.Id, now);
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
        recent.Remember(hash, claims);
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private async Task<TokenRow?> FindAsync(string hash)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        return await db.ApiTokens.IgnoreQueryFilters().AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Select(t => new TokenRow(t.Id, t.OrganizationId, t.UserId, t.Name, t.Scopes, t.ExpiresAt, t.RevokedAt, t.LastUsedAt, t.User!.Email, t.User.IsPlatformAdministrator))
            .FirstOrDefaultAsync(Context.RequestAborted);
    }

    /// <summary>Records the last use; the token is valid whether or not this write gets through.</summary>
    private async Task TouchAsync(long id, DateTimeOffset now)
    {
        try
        {
            await using var db = contexts.Create(null, AuditActor.System);
            await db.ApiTokens.IgnoreQueryFilters().Where(t => t.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }
        catch (Exception e) when (IsDatabaseFailure(e) && !Context.RequestAborted.IsCancellationRequested)
        {
            Logger.LogDebug(e, "Could not record the last use of API token {TokenId}", id);
        }
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

    /// <summary>The database is down or unreachable: a provider error (Npgsql, SQLite), a timeout, or EF's wrapping of one.</summary>
    private static bool IsDatabaseFailure(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (current is DbException or TimeoutException or SocketException)
            {
                return true;
            }
        }
        return false;
    }

    private sealed record TokenRow(
        long Id, long OrganizationId, long UserId, string Name, string Scopes, DateTimeOffset? ExpiresAt,
        DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, string? Email, bool IsPlatformAdministrator);

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}
