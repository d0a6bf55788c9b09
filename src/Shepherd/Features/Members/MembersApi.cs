using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Members;

/// <summary>
/// The organization's users (administrators): roles, the pastoral flag, the linked person, removal. An organization
/// always keeps one administrator. Open sessions follow a change at their next re-check. /api/v1/members
/// </summary>
public static class MembersApi
{
    public static void MapMembersApi(this IEndpointRouteBuilder api)
    {
        var members = api.MapGroup("/members").WithTags("Members");
        members.MapGet("/", ListAsync).RequirePermission(Permission.UsersRead);
        members.MapPut("/{userId:long}", UpdateAsync).RequirePermission(Permission.UsersManage);
        members.MapDelete("/{userId:long}", RemoveAsync).RequirePermission(Permission.UsersManage);
    }

    /// <param name="Pastoral">Unchanged when left out.</param>
    /// <param name="PersonId">The member's own person record; null unlinks it.</param>
    public sealed record MemberRequest(string? Role, bool? Pastoral, long? PersonId);

    public sealed record MemberResponse(
        long UserId, string Email, string? DisplayName, OrganizationRole Role, bool Pastoral, long? PersonId, bool EmailConfirmed,
        DateTimeOffset? LastSignInAt, DateTimeOffset MemberSince);

    private static IQueryable<MemberResponse> Members(ShepherdDbContext db) =>
        db.Memberships.AsNoTracking().OrderBy(m => m.User!.Email).Select(m => new MemberResponse(
            m.UserId, m.User!.Email ?? "", m.User.DisplayName, m.Role, m.Pastoral, m.PersonId, m.User.EmailConfirmed, m.User.LastSignInAt, m.CreatedAt));

    private static async Task<Ok<List<MemberResponse>>> ListAsync(ShepherdDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await Members(db).ToListAsync(ct));

    private static async Task<Results<Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long userId, MemberRequest request, ShepherdDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == userId, ct);
        if (membership is null)
        {
            return ApiResults.NotFound("Member", userId);
        }
        if (InvitationsApi.ParseRole(request.Role) is not { } role)
        {
            return ApiResults.Invalid("role", $"Unknown role '{request.Role}'. Use one of: {string.Join(", ", Enum.GetNames<OrganizationRole>().Select(InvitationsApi.Camel))}.");
        }
        if (request.PersonId is { } personId && !await db.People.AnyAsync(p => p.Id == personId, ct))
        {
            return ApiResults.Invalid("personId", $"There is no person with id {personId} in your organization.");
        }
        if (membership.Role == OrganizationRole.Administrator && role != OrganizationRole.Administrator && await IsLastAdministratorAsync(db, ct))
        {
            return ApiResults.Conflict("This is the organization's last administrator: make someone else an administrator first, then change this role.");
        }

        var from = membership.Role;
        membership.Role = role;
        membership.Pastoral = request.Pastoral ?? membership.Pastoral;
        membership.PersonId = request.PersonId;
        if (from != role)
        {
            AuditLog.Add(db, AuditAction.RoleChanged, "User", userId.ToString(CultureInfo.InvariantCulture),
                new { role = new { from = InvitationsApi.Camel(from.ToString()), to = InvitationsApi.Camel(role.ToString()) } });
        }
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok((await Members(db).ToListAsync(ct)).First(m => m.UserId == userId));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        long userId, ShepherdDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == userId, ct);
        if (membership is null)
        {
            return ApiResults.NotFound("Member", userId);
        }
        if (membership.Role == OrganizationRole.Administrator && await IsLastAdministratorAsync(db, ct))
        {
            return ApiResults.Conflict("This is the organization's last administrator: make someone else an administrator first, then remove this member.");
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Memberships.Remove(membership);
        // Their tokens for this organization stop now; their browser sessions end at the next re-check (no membership).
        var now = clock.GetUtcNow();
        foreach (var token in await db.ApiTokens.Where(t => t.UserId == userId && t.RevokedAt == null).ToListAsync(ct))
        {
            token.RevokedAt = now;
        }
        AuditLog.Add(db, AuditAction.MemberRemoved, "User", userId.ToString(CultureInfo.InvariantCulture), new { role = InvitationsApi.Camel(membership.Role.ToString()) });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<bool> IsLastAdministratorAsync(ShepherdDbContext db, CancellationToken ct) =>
        await db.Memberships.CountAsync(m => m.Role == OrganizationRole.Administrator, ct) <= 1;
}
