using Shepherd.Data.People;
using Shepherd.Data.Tenancy;

namespace Shepherd.Data.Families;

public enum FamilyRole { Adult, Child }

/// <summary>A household: adults and children, plus the people allowed to pick the children up.</summary>
public sealed class Family : IArchivable, ITimestamped
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public required string Name { get; set; }
    public Address Address { get; set; } = new();
    public string? HomePhone { get; set; }
    public long? CampusId { get; set; }
    public bool Active { get; set; } = true;
    public DateTimeOffset? ArchivedAt { get; set; }
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<FamilyMember> Members { get; set; } = [];
    public List<AuthorizedPickup> AuthorizedPickups { get; set; } = [];
}

/// <summary>A person's place in a family. A person may belong to more than one family (shared custody).</summary>
public sealed class FamilyMember : ITenantOwned
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public long FamilyId { get; set; }
    public long PersonId { get; set; }
    public FamilyRole Role { get; set; }
    public Person? Person { get; set; }
    public Family? Family { get; set; }
}

/// <summary>Someone allowed to check a family's children out: a person on file or just a name and phone.</summary>
public sealed class AuthorizedPickup : ITenantOwned
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public long FamilyId { get; set; }
    public long? PersonId { get; set; }
    public required string Name { get; set; }
    public string? Relationship { get; set; }
    public string? Phone { get; set; }
    public Person? Person { get; set; }
}
