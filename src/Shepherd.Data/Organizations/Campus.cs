using Shepherd.Data.Tenancy;

namespace Shepherd.Data.Organizations;

/// <summary>A place where an organization meets; services are held at a campus.</summary>
public sealed class Campus : ITenantOwned, IVersioned, ITimestamped
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public required string Name { get; set; }
    public Address Address { get; set; } = new();
    public bool Active { get; set; } = true;
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
