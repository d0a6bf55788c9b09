using Shepherd.Data.People;
using Shepherd.Data.Tenancy;

namespace Shepherd.Data.Groups;

public enum GroupKind { SmallGroup, Ministry, Class, Team, Other }

public enum GroupRole { Member, Leader }

/// <summary>A small group, ministry, class or serving team, with leaders and members.</summary>
public sealed class Group : IArchivable, ITimestamped
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public long? CampusId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public GroupKind Kind { get; set; }
    public DayOfWeek? MeetingDay { get; set; }
    public TimeOnly? MeetingTime { get; set; }
    public string? Location { get; set; }
    public bool Active { get; set; } = true;
    public DateTimeOffset? ArchivedAt { get; set; }
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<GroupMember> Members { get; set; } = [];
}

public sealed class GroupMember : ITenantOwned
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public long GroupId { get; set; }
    public long PersonId { get; set; }
    public GroupRole Role { get; set; }
    public DateOnly JoinedOn { get; set; }
    public Person? Person { get; set; }
    public Group? Group { get; set; }
}
