using System.ComponentModel.DataAnnotations;
using System.Linq.Expressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Groups;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Groups;

/// <summary>The people in a group and their role. /api/v1/groups/{id}/members</summary>
public static class GroupMembersApi
{
    public static void MapGroupMembers(this RouteGroupBuilder groups)
    {
        groups.MapGet("/{id:long}/members", ListAsync).RequirePermission(Permission.GroupsRead);
        groups.MapPost("/{id:long}/members", AddAsync).RequirePermission(Permission.GroupsWrite);
        groups.MapPut("/{id:long}/members/{personId:long}", ChangeRoleAsync).RequirePermission(Permission.GroupsWrite);
        groups.MapDelete("/{id:long}/members/{personId:long}", RemoveAsync).RequirePermission(Permission.GroupsWrite);
    }

    public sealed record AddMemberRequest
    {
        [Required, Range(1, long.MaxValue)]
        public long? PersonId { get; init; }

        /// <summary>member (default) or leader.</summary>
        public GroupRole? Role { get; init; }

        /// <summary>Defaults to today.</summary>
        public DateOnly? JoinedOn { get; init; }
    }

    public sealed record ChangeRoleRequest
    {
        [Required]
        public GroupRole? Role { get; init; }
    }

    public sealed record MemberResponse(long PersonId, string Name, GroupRole Role, DateOnly JoinedOn)
    {
        /// <summary>Reads the person's display name in the same query: preferred (or first) name and last name.</summary>
        public static readonly Expression<Func<GroupMember, MemberResponse>> Projection = m => new MemberResponse(
            m.PersonId, (m.Person!.PreferredName ?? m.Person.FirstName) + " " + m.Person.LastName, m.Role, m.JoinedOn);
    }

    /// <summary>Leaders first, then by last and first name; the id keeps pages stable.</summary>
    internal static IOrderedQueryable<GroupMember> Ordered(IQueryable<GroupMember> members) =>
        members.OrderBy(m => m.Role == GroupRole.Leader ? 0 : 1)
            .ThenBy(m => m.Person!.LastName).ThenBy(m => m.Person!.FirstName).ThenBy(m => m.PersonId);

    private static async Task<Results<Ok<Page<MemberResponse>>, ProblemHttpResult>> ListAsync(
        long id, [AsParameters] PageRequest page, ShepherdDbContext db, CallerScope scope, CancellationToken ct)
    {
        if (!await scope.Groups(db.Groups).AnyAsync(g => g.Id == id, ct))
        {
            return ApiResults.NotFound("Group", id);
        }
        var query = db.GroupMembers.AsNoTracking().Where(m => m.GroupId == id);
        var total = await query.CountAsync(ct);
        var items = await Ordered(query).Skip(page.Skip).Take(page.Size).Select(MemberResponse.Projection).ToListAsync(ct);
        return TypedResults.Ok(new Page<MemberResponse>(items, page.Number, page.Size, total));
    }

    private static async Task<Results<Created<MemberResponse>, ProblemHttpResult, ValidationProblem>> AddAsync(
        long id, AddMemberRequest request, ShepherdDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.Groups.AnyAsync(g => g.Id == id, ct))
        {
            return ApiResults.NotFound("Group", id);
        }
        var personId = request.PersonId!.Value;
        var person = await db.People.AsNoTracking().Where(p => p.Id == personId)
            .Select(p => new { Name = (p.PreferredName ?? p.FirstName) + " " + p.LastName }).FirstOrDefaultAsync(ct);
        if (person is null)
        {
            return ApiResults.Invalid("personId", $"There is no person with id {personId} in your organization.");
        }
        if (await db.GroupMembers.AnyAsync(m => m.GroupId == id && m.PersonId == personId, ct))
        {
            return ApiResults.Conflict($"Person {personId} is already in this group. Change their role with PUT instead.");
        }
        var member = new GroupMember
        {
            GroupId = id,
            PersonId = personId,
            Role = request.Role ?? GroupRole.Member,
            JoinedOn = request.JoinedOn ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime),
        };
        db.GroupMembers.Add(member);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/groups/{id}/members/{personId}", new MemberResponse(personId, person.Name, member.Role, member.JoinedOn));
    }

    private static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> ChangeRoleAsync(
        long id, long personId, ChangeRoleRequest request, ShepherdDbContext db, CancellationToken ct)
    {
        var member = await db.GroupMembers.Include(m => m.Person).FirstOrDefaultAsync(m => m.GroupId == id && m.PersonId == personId, ct);
        if (member is null)
        {
            return await MissingAsync(id, personId, db, ct);
        }
        member.Role = request.Role!.Value;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new MemberResponse(personId, $"{member.Person!.PreferredName ?? member.Person.FirstName} {member.Person.LastName}",
            member.Role, member.JoinedOn));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(long id, long personId, ShepherdDbContext db, CancellationToken ct)
    {
        var member = await db.GroupMembers.FirstOrDefaultAsync(m => m.GroupId == id && m.PersonId == personId, ct);
        if (member is null)
        {
            return await MissingAsync(id, personId, db, ct);
        }
        db.GroupMembers.Remove(member);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Says which is missing: the group, or the person's membership in it.</summary>
    private static async Task<ProblemHttpResult> MissingAsync(long groupId, long personId, ShepherdDbContext db, CancellationToken ct) =>
        await db.Groups.AnyAsync(g => g.Id == groupId, ct)
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Group member not found",
                detail: $"Person {personId} is not a member of group {groupId}.")
            : ApiResults.NotFound("Group", groupId);
}
