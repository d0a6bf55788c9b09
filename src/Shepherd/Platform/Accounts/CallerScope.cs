using System.Globalization;
using System.Security.Claims;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Attendance;
using Shepherd.Data.Groups;
using Shepherd.Data.People;

namespace Shepherd.Platform.Accounts;

/// <summary>
/// The rows a caller may reach within what their role grants. A group leader reaches only the groups they lead (their
/// linked person is a leader of an unarchived group) and the people in those groups, themself included; a group leader
/// whose account is not linked to a person reaches nobody. Every other role is not limited here.
/// <para>
/// The limits are subqueries composed into the endpoint's own query, so the database does the work however large the
/// church is. A row outside the scope answers exactly as a row that does not exist (404, or the same validation error):
/// a leader cannot tell "not yours" from "not there".
/// </para>
/// Endpoints take it as a parameter; it binds itself from the request (<see cref="BindAsync"/>).
/// </summary>
public sealed class CallerScope
{
    private readonly IQueryable<long> _groupIds;
    private readonly IQueryable<long> _memberIds;
    private readonly long _self;

    private CallerScope(ShepherdDbContext db, OrganizationRole? role, long? personId)
    {
        IsLimited = role == OrganizationRole.GroupLeader;
        // An unlinked leader gets -1: no row has it, so every limited query comes back empty.
        _self = personId ?? -1;
        var self = _self;
        _groupIds = db.GroupMembers
            .Where(m => m.PersonId == self && m.Role == GroupRole.Leader && m.Group!.ArchivedAt == null)
            .Select(m => m.GroupId);
        var groupIds = _groupIds;
        _memberIds = db.GroupMembers.Where(m => groupIds.Contains(m.GroupId)).Select(m => m.PersonId);
    }

    /// <summary>True for a group leader: the queries below narrow what they reach.</summary>
    public bool IsLimited { get; }

    public static CallerScope For(ClaimsPrincipal user, ShepherdDbContext db) => new(db, user.Role(), user.PersonId());

    /// <summary>Minimal API binding: the request's principal and its database context.</summary>
    public static ValueTask<CallerScope?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<CallerScope?>(For(context.User, context.RequestServices.GetRequiredService<ShepherdDbContext>()));

    public IQueryable<Group> Groups(IQueryable<Group> groups)
    {
        if (!IsLimited)
        {
            return groups;
        }
        var ids = _groupIds;
        return groups.Where(g => ids.Contains(g.Id));
    }

    public IQueryable<Person> People(IQueryable<Person> people)
    {
        if (!IsLimited)
        {
            return people;
        }
        var (self, members) = (_self, _memberIds);
        return people.Where(p => p.Id == self || members.Contains(p.Id));
    }

    public IQueryable<AttendanceRecord> Attendance(IQueryable<AttendanceRecord> attendance)
    {
        if (!IsLimited)
        {
            return attendance;
        }
        var (self, members) = (_self, _memberIds);
        return attendance.Where(a => a.PersonId == self || members.Contains(a.PersonId));
    }
}

public static class CallerPerson
{
    /// <summary>The caller's own person record in the organization they act in, when their account is linked to one.</summary>
    public static long? PersonId(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(ApiScopes.PersonClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}
