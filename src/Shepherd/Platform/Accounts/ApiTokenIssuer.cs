using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Shepherd.Cli;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;

namespace Shepherd.Platform.Accounts;

public sealed record IssuedToken(string Token, string Name, string Email, string OrganizationName, IReadOnlyList<string> Scopes);

/// <summary>Creates API tokens for a user in one of their organizations. Only the hash is stored.</summary>
public sealed class ApiTokenIssuer(ShepherdDbContext db, UserManager<ShepherdUser> users, TimeProvider clock)
{
    public async Task<IssuedToken> IssueAsync(
        string email, string name, string? organizationName, IReadOnlyList<string> scopes, int? expiresInDays, CancellationToken cancellationToken)
    {
        var unknown = scopes.Where(s => !ApiScopes.All.Contains(s)).ToList();
        if (unknown.Count > 0)
        {
            throw new CommandException($"Unknown scope '{unknown[0]}'. Use read, write or monitoring.");
        }
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            throw new CommandException("--name must be 1 to 100 characters, e.g. --name \"website sync\".");
        }
        if (expiresInDays is <= 0)
        {
            throw new CommandException("--expires-in-days must be a positive number of days.");
        }
        var user = await users.FindByEmailAsync(email)
            ?? throw new CommandException($"No user with e-mail {email}. Create one with `shepherd admin create`.");

        db.OrganizationId = null;
        db.Actor = new AuditActor(user.Id, $"{email} (cli)");
        var memberships = await db.Memberships.IgnoreQueryFilters()
            .Where(m => m.UserId == user.Id)
            .Join(db.Organizations, m => m.OrganizationId, o => o.Id, (m, o) => new { o.Id, o.Name })
            .ToListAsync(cancellationToken);
        var organization = organizationName is null
            ? memberships.Count == 1 ? memberships[0] : null
            : memberships.FirstOrDefault(m => string.Equals(m.Name, organizationName, StringComparison.OrdinalIgnoreCase));
        if (organization is null)
        {
            throw new CommandException(memberships.Count switch
            {
                0 => $"{email} belongs to no organization. Add them with `shepherd admin create --organization <name>`.",
                _ when organizationName is not null => $"{email} is not a member of '{organizationName}'. Their organizations: {string.Join(", ", memberships.Select(m => m.Name))}.",
                _ => $"{email} belongs to several organizations; choose one with --organization ({string.Join(", ", memberships.Select(m => m.Name))}).",
            });
        }

        db.OrganizationId = organization.Id;
        var (token, _) = Add(db, user.Id, name, scopes, expiresInDays, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedToken(token, name, email, organization.Name, [.. scopes.Distinct().Order()]);
    }

    /// <summary>
    /// Adds a new token of <paramref name="userId"/> to <paramref name="db"/> (its organization) without saving, so it
    /// commits with the caller's other changes (the API's audit entry). Returns the token text, which is not stored.
    /// </summary>
    public static (string Token, ApiToken Row) Add(
        ShepherdDbContext db, long userId, string name, IEnumerable<string> scopes, int? expiresInDays, DateTimeOffset now)
    {
        var token = TokenHasher.NewToken();
        var row = new ApiToken
        {
            UserId = userId,
            Name = name,
            Prefix = token[..10],
            TokenHash = TokenHasher.Hash(token),
            Scopes = string.Join(' ', scopes.Distinct().Order()),
            CreatedAt = now,
            ExpiresAt = expiresInDays is { } days ? now.AddDays(days) : null,
        };
        db.ApiTokens.Add(row);
        return (token, row);
    }
}
