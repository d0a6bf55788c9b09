using Shepherd.Data.Tenancy;

namespace Shepherd.Data.Organizations;

/// <summary>The tenant: a church or a network of churches. Every other church row belongs to exactly one.</summary>
public sealed class Organization : IVersioned, ITimestamped
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>IANA time zone the organization's services and reports are expressed in.</summary>
    public string TimeZone { get; set; } = "UTC";
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
