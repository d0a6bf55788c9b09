using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Data.Organizations;
using Shepherd.Features.Members;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;
using Shepherd.Platform.Mail;

namespace Shepherd.Features.Organizations;

/// <summary>
/// `/api/platform/organizations`: the instance's organizations, for platform administrators only (a read or write token
/// of theirs, or their session) — listing them all and creating one with its first administrator invited by e-mail.
/// Nothing here reads an organization's church data: only names, counts of members and pending invitations.
/// </summary>
public static class OrganizationsApi
{
    public const string Route = "/api/platform/organizations";
    public const int MaxNameLength = 200;

    public sealed record OrganizationResponse(long Id, string Name, string TimeZone, DateTimeOffset CreatedAt, int Members, int PendingInvitations);

    public sealed record CreateOrganizationRequest(string? Name, string? AdministratorEmail, string? TimeZone);

    /// <param name="Invitation">The first administrator's invitation; null when the caller made themselves administrator.</param>
    public sealed record CreatedOrganization(long Id, string Name, string TimeZone, InvitationsApi.CreatedInvitation? Invitation);

    public static void MapOrganizationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Route).WithTags("Platform: organizations").RequireAuthorization(ApiScopes.PlatformReadPolicy);
        group.MapGet("/", async (ShepherdDbContextFactory contexts, TimeProvider clock, CancellationToken ct) =>
            TypedResults.Ok(await ListAsync(contexts, clock, ct)));
        group.MapPost("/", CreateAsync).RequireAuthorization(ApiScopes.PlatformWritePolicy);
    }

    private static async Task<Results<Created<CreatedOrganization>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateOrganizationRequest? request, OrganizationProvisioning provisioning, HttpContext http, CancellationToken ct)
    {
        var outcome = await provisioning.CreateAsync(request ?? new(null, null, null), http.User, AuditLog.ClientIp(http), ct);
        return outcome switch
        {
            { Errors: { } errors } => ApiResults.Invalid(errors),
            { Conflict: { } conflict } => ApiResults.Conflict(conflict),
            { Created: { } created } => TypedResults.Created($"{Route}/{created.Id.ToString(CultureInfo.InvariantCulture)}", created),
            _ => throw new InvalidOperationException("An outcome has errors, a conflict or the organization."),
        };
    }

    /// <summary>Every organization with its member and pending-invitation counts, by name.</summary>
    public static async Task<IReadOnlyList<OrganizationResponse>> ListAsync(ShepherdDbContextFactory contexts, TimeProvider clock, CancellationToken ct)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var now = clock.GetUtcNow();
        // Across tenants on purpose: the tenant filter would show none of them.
        var members = await db.Memberships.IgnoreQueryFilters().GroupBy(m => m.OrganizationId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var invitations = await db.Invitations.IgnoreQueryFilters().Where(i => i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .GroupBy(i => i.OrganizationId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var organizations = await db.Organizations.AsNoTracking().OrderBy(o => o.Name).ThenBy(o => o.Id).ToListAsync(ct);
        return [.. organizations.Select(o => new OrganizationResponse(
            o.Id, o.Name, o.TimeZone, o.CreatedAt, members.GetValueOrDefault(o.Id), invitations.GetValueOrDefault(o.Id)))];
    }
}

/// <summary>Errors (by field), a conflict, or the new organization.</summary>
public sealed record ProvisioningOutcome(
    IDictionary<string, string[]>? Errors = null, string? Conflict = null, OrganizationsApi.CreatedOrganization? Created = null);

/// <summary>
/// Creates an organization and invites its first administrator, in one transaction; the e-mail goes after the commit.
/// When the administrator's address is the caller's own, the caller becomes the administrator at once.
/// </summary>
public sealed class OrganizationProvisioning(
    ShepherdDbContextFactory contexts, AccountEmails emails, IOptions<AccountLinkOptions> links, TimeProvider clock)
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1862", Justification = "EF translates ToUpper() == to SQL on both providers; the StringComparison overload has no translation.")]
    public async Task<ProvisioningOutcome> CreateAsync(
        OrganizationsApi.CreateOrganizationRequest request, ClaimsPrincipal caller, string? ipAddress, CancellationToken ct)
    {
        var name = request.Name?.Trim();
        var email = InvitationsApi.NormalizeEmail(request.AdministratorEmail);
        var timeZone = string.IsNullOrWhiteSpace(request.TimeZone) ? "UTC" : request.TimeZone.Trim();
        var errors = new Dictionary<string, string[]>();
        if (name is not { Length: > 0 and <= OrganizationsApi.MaxNameLength })
        {
            errors["name"] = [$"Give the organization a name of 1 to {OrganizationsApi.MaxNameLength} characters, e.g. Grace Church."];
        }
        if (email is null)
        {
            errors["administratorEmail"] = ["Give the e-mail address of the organization's first administrator, e.g. pastor@example.org."];
        }
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            errors["timeZone"] = [$"Unknown time zone '{timeZone}'. Use an IANA name such as Europe/Berlin or America/Chicago."];
        }
        if (errors.Count > 0)
        {
            return new(Errors: errors);
        }

        var actor = new AuditActor(caller.UserId(), caller.DisplayName(), ipAddress);
        await using var db = contexts.Create(null, actor);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var upper = name!.ToUpperInvariant();
        if (await db.Organizations.AnyAsync(o => o.Name.ToUpper() == upper, ct))
        {
            return new(Conflict: $"An organization named '{name}' already exists. Choose another name.");
        }
        var organization = new Organization { Name = name, TimeZone = timeZone };
        db.Organizations.Add(organization);
        await db.SaveChangesAsync(ct);

        db.OrganizationId = organization.Id;
        AuditLog.Add(db, AuditAction.Created, nameof(Organization), organization.Id.ToString(CultureInfo.InvariantCulture), new { name, timeZone });
        var callerId = caller.UserId();
        var self = callerId is { } id ? await db.Users.FirstOrDefaultAsync(u => u.Id == id, ct) : null;
        (Invitation Invitation, string Secret)? invited = null;
        if (self is not null && string.Equals(self.Email, email, StringComparison.OrdinalIgnoreCase))
        {
            db.Memberships.Add(new OrganizationMembership { UserId = self.Id, Role = OrganizationRole.Administrator, CreatedAt = clock.GetUtcNow() });
            await db.SaveChangesAsync(ct);
        }
        else
        {
            invited = await InvitationsApi.IssueAsync(db, email!, OrganizationRole.Administrator, callerId, links.Value.InvitationLifetime, clock, ct);
        }
        await transaction.CommitAsync(ct);

        var invitation = invited is { } i ? await InvitationsApi.SendAsync(emails, i.Invitation, i.Secret, name, caller.DisplayName(), ct) : null;
        return new(Created: new OrganizationsApi.CreatedOrganization(organization.Id, name, timeZone, invitation));
    }
}
