using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;
using Shepherd.Platform.Mail;
using Shepherd.Platform.Web;

namespace Shepherd.Features.Members;

/// <summary>Inviting people to the organization by e-mail (administrators). /api/v1/invitations</summary>
public static class InvitationsApi
{
    public static void MapInvitationsApi(this IEndpointRouteBuilder api)
    {
        var invitations = api.MapGroup("/invitations").WithTags("Members");
        invitations.MapPost("/", CreateAsync).RequirePermission(Permission.UsersManage);
        invitations.MapGet("/", ListAsync).RequirePermission(Permission.UsersRead);
        invitations.MapDelete("/{id:long}", RevokeAsync).RequirePermission(Permission.UsersManage);
    }

    public sealed record InvitationRequest(string? Email, string? Role);

    public sealed record InvitationResponse(long Id, string Email, OrganizationRole Role, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
    {
        public static InvitationResponse From(Invitation i) => new(i.Id, i.Email, i.Role, i.CreatedAt, i.ExpiresAt);
    }

    /// <param name="Link">Only when the e-mail was not sent: the administrator passes it on themselves. Shown once.</param>
    public sealed record CreatedInvitation(
        long Id, string Email, OrganizationRole Role, DateTimeOffset ExpiresAt, bool EmailSent, string? MailProblem, string? Link);

    /// <summary>A role from its name (camelCase as the API writes it, or as declared); null for anything else, numbers included.</summary>
    public static OrganizationRole? ParseRole(string? role) =>
        role is { Length: > 0 } && char.IsLetter(role[0]) && Enum.TryParse<OrganizationRole>(role, ignoreCase: true, out var parsed) ? parsed : null;

    /// <summary>A plain address (one mailbox, no display name), lower-cased; null when it is not one.</summary>
    public static string? NormalizeEmail(string? email)
    {
        email = email?.Trim();
        return email is { Length: > 0 and <= 256 } && MailboxAddress.TryParse(email, out var address) && address.Address == email
            && email.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < email.Length - 1
            ? email.ToLowerInvariant()
            : null;
    }

    private static async Task<Results<Created<CreatedInvitation>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        InvitationRequest request, ShepherdDbContext db, AccountEmails emails, IOptions<AccountLinkOptions> links, TimeProvider clock,
        HttpContext http, CancellationToken ct)
    {
        var email = NormalizeEmail(request.Email);
        var role = ParseRole(request.Role);
        var errors = new Dictionary<string, string[]>();
        if (email is null)
        {
            errors["email"] = ["Give one e-mail address, e.g. name@example.org."];
        }
        if (role is null)
        {
            errors["role"] = [$"Unknown role '{request.Role}'. Use one of: {string.Join(", ", Enum.GetNames<OrganizationRole>().Select(Camel))}."];
        }
        if (errors.Count > 0)
        {
            return ApiResults.Invalid(errors);
        }
        var normalized = email!.ToUpperInvariant();
        if (await db.Memberships.AnyAsync(m => m.User!.NormalizedEmail == normalized, ct))
        {
            return ApiResults.Conflict($"{email} is already a member of this organization. Change their role with PUT /api/v1/members/{{userId}}.");
        }

        var (invitation, secret) = await IssueAsync(db, email, role!.Value, http.User.UserId(), links.Value.InvitationLifetime, clock, ct);
        var organization = await db.Organizations.Where(o => o.Id == invitation.OrganizationId).Select(o => o.Name).FirstAsync(ct);
        var created = await SendAsync(emails, invitation, secret, organization, http.User.DisplayName(), ct);
        return TypedResults.Created($"/api/v1/invitations/{invitation.Id.ToString(CultureInfo.InvariantCulture)}", created);
    }

    /// <summary>
    /// Saves an invitation to <paramref name="db"/>'s organization and its audit entry; a pending one to the same address
    /// is revoked, so only the newest link works. Returns the secret of the link, which is stored only hashed.
    /// </summary>
    public static async Task<(Invitation Invitation, string Secret)> IssueAsync(
        ShepherdDbContext db, string email, OrganizationRole role, long? invitedBy, TimeSpan lifetime, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var pending in await db.Invitations.Where(i => i.Email == email && i.AcceptedAt == null && i.RevokedAt == null).ToListAsync(ct))
        {
            pending.RevokedAt = now;
        }
        var secret = Invitations.NewSecret();
        var invitation = new Invitation
        {
            Email = email,
            Role = role,
            TokenHash = TokenHasher.Hash(secret),
            InvitedByUserId = invitedBy,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        };
        db.Invitations.Add(invitation);
        await db.SaveChangesAsync(ct);
        AuditLog.Add(db, AuditAction.MemberInvited, nameof(Invitation), invitation.Id.ToString(CultureInfo.InvariantCulture), new { email, role = Camel(role.ToString()) });
        await db.SaveChangesAsync(ct);
        return (invitation, secret);
    }

    /// <summary>E-mails the invitation; when that is not possible the link comes back for the inviter to pass on (shown once).</summary>
    public static async Task<CreatedInvitation> SendAsync(
        AccountEmails emails, Invitation invitation, string secret, string organization, string invitedBy, CancellationToken ct)
    {
        var link = emails.Link(AccountLinks.Invite(secret));
        var sent = link is null
            ? MailResult.Failed(emails.Problem ?? "Shepherd:Mail:PublicUrl is not set.")
            : await emails.SendInvitationAsync(invitation.Email, organization, Describe(invitation.Role), invitedBy, link, invitation.ExpiresAt, ct);
        return new CreatedInvitation(
            invitation.Id, invitation.Email, invitation.Role, invitation.ExpiresAt, sent.Sent, sent.Problem,
            // Not sent: the inviter hands the link over themselves (relative when no public address is set).
            sent.Sent ? null : link ?? AccountLinks.Invite(secret));
    }

    private static async Task<Ok<List<InvitationResponse>>> ListAsync(ShepherdDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var pending = await db.Invitations.AsNoTracking()
            .Where(i => i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .OrderBy(i => i.Email).ThenBy(i => i.Id)
            .ToListAsync(ct);
        return TypedResults.Ok(pending.Select(InvitationResponse.From).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(long id, ShepherdDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == id, ct);
        if (invitation is null)
        {
            return ApiResults.NotFound("Invitation", id);
        }
        if (invitation.AcceptedAt is not null)
        {
            return ApiResults.Conflict("This invitation was already accepted. To take the access away, remove the member: DELETE /api/v1/members/{userId}.");
        }
        invitation.RevokedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    internal static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    internal static string Describe(OrganizationRole role) => role switch
    {
        OrganizationRole.GroupLeader => "group leader",
        OrganizationRole.CheckInVolunteer => "check-in volunteer",
        _ => role.ToString().ToLowerInvariant(),
    };
}
