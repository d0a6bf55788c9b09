using Shepherd.Data.Tenancy;

namespace Shepherd.Data.Services;

public enum ServiceKind { Worship, Kids, Youth, Event, Class, Other }

/// <summary>A dated worship service or event at a campus; attendance is recorded against it.</summary>
public sealed class Service : ITenantOwned, IVersioned, ITimestamped
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public long CampusId { get; set; }
    public required string Name { get; set; }
    public ServiceKind Kind { get; set; }
    /// <summary>Start in UTC.</summary>
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset? EndsAt { get; set; }
    /// <summary>The service's calendar date in the organization's time zone, for reports grouped by day and week.</summary>
    public DateOnly Date { get; set; }
    /// <summary>People counted but not checked in by name (visitors, overflow).</summary>
    public int? Headcount { get; set; }
    public string? Notes { get; set; }
    /// <summary>The weekly schedule this service was planned from, if any (one service per schedule and start).</summary>
    public long? ScheduleId { get; set; }
    /// <summary>Set when the service is a meeting of a group: its attendance is the group's attendance.</summary>
    public long? GroupId { get; set; }
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A service that repeats every week at a campus ("Sunday 9:00 worship"): upcoming services are planned from it, each
/// one a <see cref="Service"/> that can then be changed or cancelled on its own.
/// </summary>
public sealed class ServiceSchedule : ITenantOwned, IVersioned, ITimestamped
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public long CampusId { get; set; }
    public required string Name { get; set; }
    public ServiceKind Kind { get; set; }
    public DayOfWeek Day { get; set; }
    /// <summary>Local time in the organization's time zone.</summary>
    public TimeOnly StartTime { get; set; }
    public int DurationMinutes { get; set; } = 90;
    public bool Active { get; set; } = true;
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
