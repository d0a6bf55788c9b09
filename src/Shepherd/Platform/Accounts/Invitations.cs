using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;

namespace Shepherd.Platform.Accounts;

public enum InvitationState { Pending, Expired, Revoked, Accepted, Unknown }

/// <summary>An invitation as its link finds it: the organization's name and the state decide what the page offers.</summary>
public sealed record InvitationView(Invitation? Invitation, string OrganizationName, InvitationState State);

/// <summary>
/// Invitations by e-mail: a 256-bit secret in the link, only its SHA-256 stored. Accepting one creates the membership
/// with the invited role (and for a new address the user, whose address the link proves).
/// </summary>
public sealed class Invitations(ShepherdDbContext db, UserManager<ShepherdUser> users, TimeProvider clock)
{
    public static string NewSecret() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Finds the invitation behind a link's secret, in any organization (the link is the only key).</summary>
    public async Task<InvitationView> FindAsync(string? secret, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > 100)
        {
            return new InvitationView(null, "", InvitationState.Unknown);
        }
        var hash = TokenHasher.Hash(secret);
        var found = await db.Invitations.IgnoreQueryFilters()
            .Where(i => i.TokenHash == hash)
            .Join(db.Organizations, i => i.OrganizationId, o => o.Id, (i, o) => new { Invitation = i, o.Name })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return new InvitationView(null, "", InvitationState.Unknown);
        }
        var i = found.Invitation;
        var state = true switch
        {
            _ when i.AcceptedAt is not null => InvitationState.Accepted,
            _ when i.RevokedAt is not null => InvitationState.Revoked,
            _ when i.ExpiresAt <= clock.GetUtcNow() => InvitationState.Expired,
            _ => InvitationState.Pending,
        };
        return new InvitationView(i, found.Name, state);
    }

    /// <summary>
    /// Creates the account for a new address and its membership; the address counts as confirmed (the link reached it).
    /// Returns Identity's errors (password policy) or an empty list.
    /// </summary>
    public async Task<IReadOnlyList<string>> AcceptAsNewUserAsync(Invitation invitation, string password, string? displayName, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = NewUser(invitation, displayName);
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            return [.. created.Errors.Select(e => e.Description)];
        }
        await JoinAsync(invitation, user, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return [];
    }

    /// <summary>The invited address's account, confirmed (the invitation link reached it), working in the inviting organization.</summary>
    private ShepherdUser NewUser(Invitation invitation, string? displayName) => new()
    {
        UserName = invitation.Email,
        Email = invitation.Email,
        EmailConfirmed = true,
        DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim(),
        CreatedAt = clock.GetUtcNow(),
        CurrentOrganizationId = invitation.OrganizationId,
    };

    /// <summary>
    /// Creates the account for a new address with no password, linked to the external login whose verified address is
    /// the invited one (checked by the caller), and its membership. Returns the user, or null when Identity refused.
    /// </summary>
    public async Task<ShepherdUser?> AcceptWithLoginAsync(Invitation invitation, UserLoginInfo login, string? displayName, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = NewUser(invitation, displayName);
        if (!(await users.CreateAsync(user)).Succeeded || !(await users.AddLoginAsync(user, login)).Succeeded)
        {
            return null;
        }
        await JoinAsync(invitation, user, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return user;
    }

    /// <summary>Adds an existing user to the invitation's organization; their e-mail must be the invited one (checked by the caller).</summary>
    public async Task AcceptAsExistingUserAsync(Invitation invitation, ShepherdUser user, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!user.EmailConfirmed)
        {
            // The invitation reached this address: that confirms it.
            user.EmailConfirmed = true;
            await users.UpdateAsync(user);
        }
        await JoinAsync(invitation, user, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task JoinAsync(Invitation invitation, ShepherdUser user, CancellationToken cancellationToken)
    {
        db.OrganizationId = invitation.OrganizationId;
        db.Actor = new AuditActor(user.Id, user.Email ?? $"user {user.Id}");
        var tracked = await db.Invitations.FirstAsync(i => i.Id == invitation.Id, cancellationToken);
        tracked.AcceptedAt = clock.GetUtcNow();
        if (!await db.Memberships.AnyAsync(m => m.UserId == user.Id, cancellationToken))
        {
            db.Memberships.Add(new OrganizationMembership { UserId = user.Id, Role = invitation.Role, CreatedAt = clock.GetUtcNow() });
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}
