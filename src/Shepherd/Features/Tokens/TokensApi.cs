using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Tokens;

/// <summary>
/// A member's own API tokens: list, create (the token text is shown once; only its hash is stored), revoke. A caller
/// grants only scopes they hold (a browser session holds read and write); monitoring only an administrator or a
/// platform administrator grants. Administrators list (?all=true) and revoke every member's tokens. /api/v1/tokens
/// </summary>
public static class TokensApi
{
    public const int MaxExpiresInDays = 3650;

    public static void MapTokensApi(this IEndpointRouteBuilder api)
    {
        var tokens = api.MapGroup("/tokens").WithTags("Tokens");
        tokens.MapGet("/", ListEndpointAsync).RequirePermission(Permission.TokensRead);
        tokens.MapPost("/", CreateEndpointAsync).RequirePermission(Permission.TokensManage);
        tokens.MapDelete("/{id:long}", RevokeEndpointAsync).RequirePermission(Permission.TokensManage);
    }

    /// <param name="ExpiresInDays">1 to 3650 days; null for a token that does not expire.</param>
    public sealed record TokenRequest(string? Name, string[]? Scopes, int? ExpiresInDays);

    /// <summary>A token as listed: never its text or hash; the prefix tells tokens apart.</summary>
    public sealed record TokenResponse(
        long Id, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
        DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, long UserId, string OwnerEmail);

    /// <summary>The new token with its text, which is shown this once.</summary>
    public sealed record CreatedTokenResponse(
        long Id, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, string Token);

    private static async Task<Results<Ok<List<TokenResponse>>, ProblemHttpResult>> ListEndpointAsync(
        bool? all, ClaimsPrincipal caller, ShepherdDbContext db, CancellationToken ct)
    {
        if (all == true && !caller.Has(Permission.UsersRead))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "Only administrators list every member's tokens; leave out all=true to list your own.");
        }
        return TypedResults.Ok(await ListAsync(db, all == true ? null : caller.UserId(), ct));
    }

    /// <summary>The tokens of <paramref name="userId"/> in the context's organization (every member's when null), newest first.</summary>
    public static async Task<List<TokenResponse>> ListAsync(ShepherdDbContext db, long? userId, CancellationToken ct)
    {
        var rows = await db.ApiTokens.AsNoTracking()
            .Where(t => userId == null || t.UserId == userId)
            .OrderByDescending(t => t.Id)
            .Select(t => new { t.Id, t.Name, t.Prefix, t.Scopes, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt, t.UserId, t.User!.Email })
            .ToListAsync(ct);
        return [.. rows.Select(t => new TokenResponse(t.Id, t.Name, t.Prefix, t.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt, t.UserId, t.Email ?? ""))];
    }

    private static async Task<Results<Created<CreatedTokenResponse>, ValidationProblem, ForbidHttpResult>> CreateEndpointAsync(
        TokenRequest request, ClaimsPrincipal caller, ShepherdDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (caller.UserId() is null)
        {
            return TypedResults.Forbid();
        }
        var errors = Validate(caller, request);
        if (errors.Count > 0)
        {
            return ApiResults.Invalid(errors);
        }
        var created = await CreateAsync(db, caller, request, clock, ct);
        return TypedResults.Created($"/api/v1/tokens/{created.Id.ToString(CultureInfo.InvariantCulture)}", created);
    }

    /// <summary>
    /// The request's problems by field (empty when it is fine): name 1–100 characters, known scopes the caller may grant,
    /// expiry 1–3650 days or none.
    /// </summary>
    public static Dictionary<string, string[]> Validate(ClaimsPrincipal caller, TokenRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100 || !TextSafety.IsStorable(name) || name.Any(char.IsControl))
        {
            errors["name"] = ["Give the token a name of 1 to 100 characters (no control characters), e.g. \"website sync\"."];
        }
        var scopes = request.Scopes ?? [];
        if (scopes.Length == 0 || scopes.Any(s => s is null || !ApiScopes.All.Contains(s)))
        {
            errors["scopes"] = ["Choose one or more of the scopes read, write and monitoring."];
        }
        else if (scopes.Where(s => !MayGrant(caller, s)).Distinct().ToList() is { Count: > 0 } refused)
        {
            errors["scopes"] = [$"You may not grant {string.Join(" and ", refused)}: a token gets at most the scopes of whoever creates it, and monitoring only from a platform administrator."];
        }
        if (request.ExpiresInDays is < 1 or > MaxExpiresInDays)
        {
            errors["expiresInDays"] = [$"Expiry must be 1 to {MaxExpiresInDays} days, or left out for a token that does not expire."];
        }
        return errors;
    }

    /// <summary>
    /// Read and write: when the caller holds them (a session holds both). Monitoring: platform administrators only, since
    /// health, metrics and the Operations page describe the whole instance, every organization on it, not the caller's own.
    /// </summary>
    public static bool MayGrant(ClaimsPrincipal caller, string scope) => scope switch
    {
        ApiScopes.Monitoring => caller.HasClaim(ApiScopes.PlatformClaim, ApiScopes.PlatformAdministrator),
        _ => caller.HasClaim(ApiScopes.ClaimType, scope),
    };

    /// <summary>Creates a validated token of the caller with its audit entry (name and scopes, never the token) in one save.</summary>
    public static async Task<CreatedTokenResponse> CreateAsync(
        ShepherdDbContext db, ClaimsPrincipal caller, TokenRequest request, TimeProvider clock, CancellationToken ct)
    {
        var userId = caller.UserId() ?? throw new InvalidOperationException("A token needs a signed-in caller.");
        var (token, row) = ApiTokenIssuer.Add(db, userId, request.Name!.Trim(), request.Scopes!, request.ExpiresInDays, clock.GetUtcNow());
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        var scopes = row.Scopes.Split(' ');
        AuditLog.Add(db, AuditAction.TokenCreated, "ApiToken", row.Id.ToString(CultureInfo.InvariantCulture),
            new { name = row.Name, scopes, expiresAt = row.ExpiresAt });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new CreatedTokenResponse(row.Id, row.Name, row.Prefix, scopes, row.CreatedAt, row.ExpiresAt, token);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeEndpointAsync(
        long id, ClaimsPrincipal caller, ShepherdDbContext db, TimeProvider clock, CancellationToken ct) =>
        await RevokeAsync(db, caller, id, clock, ct) ? TypedResults.NoContent() : ApiResults.NotFound("Token", id);

    /// <summary>
    /// Revokes the caller's own token, or (administrators) any member's; false when there is no such token the caller
    /// may see (another member's, another organization's). Revoking a revoked token changes nothing.
    /// </summary>
    public static async Task<bool> RevokeAsync(ShepherdDbContext db, ClaimsPrincipal caller, long id, TimeProvider clock, CancellationToken ct)
    {
        var anyMember = caller.Has(Permission.UsersManage);
        var userId = caller.UserId();
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == id && (anyMember || t.UserId == userId), ct);
        if (token is null)
        {
            return false;
        }
        if (token.RevokedAt is null)
        {
            token.RevokedAt = clock.GetUtcNow();
            AuditLog.Add(db, AuditAction.TokenRevoked, "ApiToken", token.Id.ToString(CultureInfo.InvariantCulture),
                new { name = token.Name, scopes = token.Scopes.Split(' '), ownerUserId = token.UserId });
            await db.SaveChangesAsync(ct);
        }
        return true;
    }
}
