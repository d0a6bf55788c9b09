using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Groups;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Groups;

/// <summary>Groups: small groups, ministries, classes and teams, with leaders and members. /api/v1/groups</summary>
public static class GroupsApi
{
    public static void MapGroupsApi(this IEndpointRouteBuilder api)
    {
        var groups = api.MapGroup("/groups").WithTags("Groups");
        groups.MapGet("/", ListAsync).RequirePermission(Permission.GroupsRead);
        groups.MapGet("/{id:long}", GetAsync).RequirePermission(Permission.GroupsRead);
        groups.MapPost("/", CreateAsync).RequirePermission(Permission.GroupsWrite);
        groups.MapPut("/{id:long}", UpdateAsync).RequirePermission(Permission.GroupsWrite);
        groups.MapArchiving<Group>("Group", Permission.GroupsWrite, (scope, rows) => scope.Groups(rows));
        groups.MapGroupMembers();
    }

    public sealed record GroupRequest
    {
        [Required, StringLength(200, MinimumLength = 1)]
        public string? Name { get; init; }

        [StringLength(2000)]
        public string? Description { get; init; }

        public GroupKind? Kind { get; init; }

        public DayOfWeek? MeetingDay { get; init; }

        /// <summary>24-hour "HH:mm", e.g. "19:30".</summary>
        [RegularExpression(@"^([01][0-9]|2[0-3]):[0-5][0-9]$", ErrorMessage = "meetingTime must be a 24-hour time as HH:mm, e.g. 19:30.")]
        public string? MeetingTime { get; init; }

        [StringLength(200)]
        public string? Location { get; init; }

        [Range(1, long.MaxValue)]
        public long? CampusId { get; init; }

        public bool? Active { get; init; }
    }

    /// <summary>A group with its leaders and members (people whose role is member) listed separately.</summary>
    public sealed record GroupResponse(
        long Id, string Name, string? Description, GroupKind Kind, DayOfWeek? MeetingDay, string? MeetingTime, string? Location,
        long? CampusId, bool Active, DateTimeOffset? ArchivedAt, int Version,
        IReadOnlyList<GroupMembersApi.MemberResponse> Leaders, IReadOnlyList<GroupMembersApi.MemberResponse> Members)
    {
        public static GroupResponse From(Group g, IReadOnlyList<GroupMembersApi.MemberResponse> people) => new(
            g.Id, g.Name, g.Description, g.Kind, g.MeetingDay, FormatTime(g.MeetingTime), g.Location, g.CampusId, g.Active, g.ArchivedAt, g.Version,
            [.. people.Where(p => p.Role == GroupRole.Leader)], [.. people.Where(p => p.Role == GroupRole.Member)]);
    }

    /// <summary>A row of the list. <c>MemberCount</c> counts people with the member role, <c>LeaderCount</c> those with the leader role.</summary>
    public sealed record GroupListItem(
        long Id, string Name, GroupKind Kind, DayOfWeek? MeetingDay, string? MeetingTime, string? Location, long? CampusId,
        bool Active, DateTimeOffset? ArchivedAt, int MemberCount, int LeaderCount);

    public sealed record GroupListQuery
    {
        /// <summary>Part of the group's name, any case.</summary>
        [StringLength(200)]
        public string? Q { get; init; }

        /// <summary>smallGroup, ministry, class, team or other.</summary>
        public string? Kind { get; init; }

        public long? CampusId { get; init; }

        public bool? Active { get; init; }

        public bool? IncludeArchived { get; init; }
    }

    private static async Task<Results<Ok<Page<GroupListItem>>, ValidationProblem>> ListAsync(
        [AsParameters] GroupListQuery filter, [AsParameters] PageRequest page, ShepherdDbContext db, CallerScope scope, CancellationToken ct)
    {
        var query = scope.Groups(db.Groups.AsNoTracking());
        if (filter.Kind is not null)
        {
            if (!QueryEnums.TryParse<GroupKind>(filter.Kind, out var kind))
            {
                return QueryEnums.Unknown<GroupKind>("kind", filter.Kind);
            }
            query = query.Where(g => g.Kind == kind);
        }
        if (!string.IsNullOrWhiteSpace(filter.Q))
        {
            // LIKE on the lower-cased name: case-insensitive on both providers (PostgreSQL's LIKE is case-sensitive).
            var pattern = "%" + EscapeLike(filter.Q.Trim().ToLowerInvariant()) + "%";
            query = query.Where(g => EF.Functions.Like(g.Name.ToLower(), pattern, "\\"));
        }
        if (filter.CampusId is { } campusId)
        {
            query = query.Where(g => g.CampusId == campusId);
        }
        if (filter.Active is { } active)
        {
            query = query.Where(g => g.Active == active);
        }
        if (filter.IncludeArchived != true)
        {
            query = query.Where(g => g.ArchivedAt == null);
        }

        var total = await query.CountAsync(ct);
        var rows = await query.OrderBy(g => g.Name).ThenBy(g => g.Id).Skip(page.Skip).Take(page.Size)
            .Select(g => new
            {
                g.Id,
                g.Name,
                g.Kind,
                g.MeetingDay,
                g.MeetingTime,
                g.Location,
                g.CampusId,
                g.Active,
                g.ArchivedAt,
                MemberCount = g.Members.Count(m => m.Role == GroupRole.Member),
                LeaderCount = g.Members.Count(m => m.Role == GroupRole.Leader),
            })
            .ToListAsync(ct);
        var items = rows.Select(g => new GroupListItem(g.Id, g.Name, g.Kind, g.MeetingDay, FormatTime(g.MeetingTime), g.Location, g.CampusId,
            g.Active, g.ArchivedAt, g.MemberCount, g.LeaderCount)).ToList();
        return TypedResults.Ok(new Page<GroupListItem>(items, page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<GroupResponse>, ProblemHttpResult>> GetAsync(
        long id, ShepherdDbContext db, CallerScope scope, HttpContext http, CancellationToken ct)
    {
        var group = await scope.Groups(db.Groups.AsNoTracking()).FirstOrDefaultAsync(g => g.Id == id, ct);
        if (group is null)
        {
            return ApiResults.NotFound("Group", id);
        }
        ETags.Set(http, group.Version);
        return TypedResults.Ok(GroupResponse.From(group, await PeopleOfAsync(db, id, ct)));
    }

    private static async Task<Results<Created<GroupResponse>, ValidationProblem>> CreateAsync(
        GroupRequest request, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        if (await ValidateAsync(request, db, ct) is { } invalid)
        {
            return invalid;
        }
        var group = new Group { Name = request.Name!.Trim() };
        Apply(group, request);
        db.Groups.Add(group);
        await db.SaveChangesAsync(ct);
        ETags.Set(http, group.Version);
        return TypedResults.Created($"/api/v1/groups/{group.Id}", GroupResponse.From(group, []));
    }

    private static async Task<Results<Ok<GroupResponse>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        long id, GroupRequest request, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var group = await db.Groups.FirstOrDefaultAsync(g => g.Id == id, ct);
        if (group is null)
        {
            return ApiResults.NotFound("Group", id);
        }
        if (!ETags.Matches(http.Request, group.Version))
        {
            return ApiResults.PreconditionFailed();
        }
        if (await ValidateAsync(request, db, ct) is { } invalid)
        {
            return invalid;
        }
        Apply(group, request);
        await db.SaveChangesAsync(ct);
        ETags.Set(http, group.Version);
        return TypedResults.Ok(GroupResponse.From(group, await PeopleOfAsync(db, id, ct)));
    }

    /// <summary>Archived groups keep their members and history but leave the lists (unless includeArchived=true).</summary>

    private static async Task<ValidationProblem?> ValidateAsync(GroupRequest request, ShepherdDbContext db, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return ApiResults.Invalid("name", "The name must not be blank.");
        }
        if (request.CampusId is { } campusId && !await db.Campuses.AnyAsync(c => c.Id == campusId, ct))
        {
            return ApiResults.Invalid("campusId", $"There is no campus with id {campusId} in your organization.");
        }
        return null;
    }

    private static void Apply(Group group, GroupRequest request)
    {
        group.Name = request.Name!.Trim();
        group.Description = Clean(request.Description);
        group.Kind = request.Kind ?? GroupKind.SmallGroup;
        group.MeetingDay = request.MeetingDay;
        group.MeetingTime = request.MeetingTime is null ? null : TimeOnly.ParseExact(request.MeetingTime, "HH:mm", CultureInfo.InvariantCulture);
        group.Location = Clean(request.Location);
        group.CampusId = request.CampusId;
        group.Active = request.Active ?? group.Active;
    }

    private static Task<List<GroupMembersApi.MemberResponse>> PeopleOfAsync(ShepherdDbContext db, long groupId, CancellationToken ct) =>
        GroupMembersApi.Ordered(db.GroupMembers.AsNoTracking().Where(m => m.GroupId == groupId))
            .Select(GroupMembersApi.MemberResponse.Projection).ToListAsync(ct);

    internal static string? FormatTime(TimeOnly? time) => time?.ToString("HH:mm", CultureInfo.InvariantCulture);

    private static string EscapeLike(string s) =>
        s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
