using System.Data.Common;
using System.Globalization;
using System.Linq.Expressions;
using System.Net.Sockets;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;

namespace Shepherd.Platform.Accounts;

/// <summary>What checking an API token found.</summary>
public enum TokenOutcome
{
    Valid,

    /// <summary>Not shaped like a Shepherd token (no shp_ prefix, too long, stray characters): never looked up.</summary>
    Malformed,
    Unknown,
    Revoked,
    Expired,

    /// <summary>The token's user is no longer a member of the token's organization: removing a member ends their tokens.</summary>
    NotAMember,
}

/// <summary>The outcome, and for a valid token its id and the claims its holder gets.</summary>
public sealed record TokenValidation(TokenOutcome Outcome, long TokenId, IReadOnlyList<Claim> Claims)
{
    public static TokenValidation Failed(TokenOutcome outcome) => new(outcome, 0, []);

    public bool IsValid => Outcome == TokenOutcome.Valid;
}

/// <summary>
/// Checks an API token against the database (by its hash, or by id when a browser session re-checks the token it was
/// opened with) and builds the claims of its user: the bearer scheme and the web sign-in share this one path.
/// </summary>
public sealed class ApiTokenValidator(ShepherdDbContextFactory contexts, TimeProvider clock)
{
    public const int MaxLength = 100;

    /// <summary>Last-used times are written at most this often per token, so reads do not become writes.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public static bool IsWellFormed(string presented) =>
        presented.StartsWith(TokenHasher.Prefix, StringComparison.Ordinal)
        && presented.Length <= MaxLength
        && presented.All(c => c is > ' ' and < '\u007f');

    public Task<TokenValidation> ValidateAsync(string presented, CancellationToken cancellationToken)
    {
        if (!IsWellFormed(presented))
        {
            return Task.FromResult(TokenValidation.Failed(TokenOutcome.Malformed));
        }
        var hash = TokenHasher.Hash(presented);
        return LookUpAsync(t => t.TokenHash == hash, cancellationToken);
    }

    public Task<TokenValidation> ValidateAsync(long tokenId, CancellationToken cancellationToken) =>
        LookUpAsync(t => t.Id == tokenId, cancellationToken);

    private async Task<TokenValidation> LookUpAsync(Expression<Func<ApiToken, bool>> match, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = contexts.Create(null, AuditActor.System);
        var token = await db.ApiTokens.IgnoreQueryFilters().AsNoTracking()
            .Where(match)
            .Select(t => new
            {
                t.Id,
                t.OrganizationId,
                t.UserId,
                t.Name,
                t.Scopes,
                t.ExpiresAt,
                t.RevokedAt,
                t.LastUsedAt,
                t.User!.Email,
                t.User.IsPlatformAdministrator,
                Membership = db.Memberships.IgnoreQueryFilters()
                    .Where(m => m.OrganizationId == t.OrganizationId && m.UserId == t.UserId)
                    .Select(m => new { m.Role, m.Pastoral, m.PersonId })
                    .FirstOrDefault(),
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (token is null)
        {
            return TokenValidation.Failed(TokenOutcome.Unknown);
        }
        if (token.RevokedAt is not null)
        {
            return TokenValidation.Failed(TokenOutcome.Revoked);
        }
        if (token.ExpiresAt <= now)
        {
            return TokenValidation.Failed(TokenOutcome.Expired);
        }
        if (token.Membership is null)
        {
            return TokenValidation.Failed(TokenOutcome.NotAMember);
        }
        if (token.LastUsedAt is null || now - token.LastUsedAt > LastUsedResolution)
        {
            try
            {
                await db.ApiTokens.IgnoreQueryFilters().Where(t => t.Id == token.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
            }
            catch (Exception e) when (IsDatabaseFailure(e) && !cancellationToken.IsCancellationRequested)
            {
                // The token is valid whether or not its last use could be recorded.
            }
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, token.UserId.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, token.Email ?? $"user {token.UserId}"),
            new(ApiScopes.OrganizationClaim, token.OrganizationId.ToString(CultureInfo.InvariantCulture)),
            new(ApiScopes.TokenClaim, token.Name),
            new(ApiScopes.TokenIdClaim, token.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Role, token.Membership.Role.ToString()),
        };
        if (token.Membership.Pastoral)
        {
            claims.Add(new Claim(ApiScopes.PastoralClaim, "true"));
        }
        if (token.Membership.PersonId is { } personId)
        {
            claims.Add(new Claim(ApiScopes.PersonClaim, personId.ToString(CultureInfo.InvariantCulture)));
        }
        claims.AddRange(token.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim(ApiScopes.ClaimType, s)));
        if (token.IsPlatformAdministrator)
        {
            claims.Add(new Claim(ApiScopes.PlatformClaim, ApiScopes.PlatformAdministrator));
        }
        return new TokenValidation(TokenOutcome.Valid, token.Id, claims);
    }

    /// <summary>The database is down or unreachable: a provider error (Npgsql, SQLite), a timeout, or EF's wrapping of one.</summary>
    public static bool IsDatabaseFailure(Exception e)
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
}
