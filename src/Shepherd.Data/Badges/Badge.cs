using Shepherd.Data.People;
using Shepherd.Data.Tenancy;

namespace Shepherd.Data.Badges;

/// <summary>A kind of recognition or status a church awards ("Baptized", "Volunteer 2026", "Background check").</summary>
public sealed class BadgeType : ITenantOwned, IVersioned, ITimestamped
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    /// <summary>CSS hex colour, e.g. #3366cc.</summary>
    public string Color { get; set; } = "#4a6fa5";
    public string? Icon { get; set; }
    public bool Active { get; set; } = true;
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A badge type awarded to a person on a date.</summary>
public sealed class Badge : ITenantOwned
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public long PersonId { get; set; }
    public long BadgeTypeId { get; set; }
    public DateOnly AwardedOn { get; set; }
    public long? AwardedByUserId { get; set; }
    public string? Note { get; set; }
    public Person? Person { get; set; }
    public BadgeType? BadgeType { get; set; }
}
