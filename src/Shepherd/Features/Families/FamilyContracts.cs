using System.ComponentModel.DataAnnotations;
using Shepherd.Data.Families;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Families;

/// <summary>POST /api/v1/families; PUT uses the same fields and ignores members and pickups (they have their own endpoints).</summary>
public sealed record FamilyRequest
{
    [Required, StringLength(200, MinimumLength = 1)]
    public string? Name { get; init; }

    public AddressDto? Address { get; init; }

    [StringLength(30)]
    public string? HomePhone { get; init; }

    public long? CampusId { get; init; }

    public bool? Active { get; init; }

    public List<FamilyMemberRequest>? Members { get; init; }

    public List<AuthorizedPickupRequest>? AuthorizedPickups { get; init; }
}

public sealed record FamilyMemberRequest
{
    [Required]
    public long? PersonId { get; init; }

    [Required]
    public FamilyRole? Role { get; init; }
}

public sealed record FamilyRoleRequest
{
    [Required]
    public FamilyRole? Role { get; init; }
}

/// <summary>Someone on file (personId; the name is taken from the person when left out) or just a name.</summary>
public sealed record AuthorizedPickupRequest
{
    public long? PersonId { get; init; }

    [StringLength(200)]
    public string? Name { get; init; }

    [StringLength(50)]
    public string? Relationship { get; init; }

    [StringLength(30)]
    public string? Phone { get; init; }
}

public sealed record FamilySummary(long Id, string Name, string? HomePhone, long? CampusId, bool Active, DateTimeOffset? ArchivedAt, int MemberCount);

public sealed record FamilyMemberResponse(long PersonId, string FirstName, string LastName, string DisplayName, FamilyRole Role, DateOnly? BirthDate);

public sealed record AuthorizedPickupResponse(long Id, long? PersonId, string Name, string? Relationship, string? Phone)
{
    public static AuthorizedPickupResponse From(AuthorizedPickup p) => new(p.Id, p.PersonId, p.Name, p.Relationship, p.Phone);
}

public sealed record FamilyDetail(
    long Id, string Name, AddressDto Address, string? HomePhone, long? CampusId, bool Active, DateTimeOffset? ArchivedAt,
    IReadOnlyList<FamilyMemberResponse> Members, IReadOnlyList<AuthorizedPickupResponse> AuthorizedPickups,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version)
{
    /// <summary>From a family loaded with its members' people and its pickups.</summary>
    public static FamilyDetail From(Family f) => new(
        f.Id, f.Name, AddressDto.From(f.Address), f.HomePhone, f.CampusId, f.Active, f.ArchivedAt,
        [.. f.Members.OrderBy(m => m.Role).ThenBy(m => m.Person!.BirthDate == null).ThenBy(m => m.Person!.BirthDate).ThenBy(m => m.PersonId).Select(MemberOf)],
        [.. f.AuthorizedPickups.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Id).Select(AuthorizedPickupResponse.From)],
        f.CreatedAt, f.UpdatedAt, f.Version);

    public static FamilyMemberResponse MemberOf(FamilyMember m) => new(
        m.PersonId, m.Person!.FirstName, m.Person.LastName,
        $"{(string.IsNullOrWhiteSpace(m.Person.PreferredName) ? m.Person.FirstName : m.Person.PreferredName)} {m.Person.LastName}",
        m.Role, m.Person.BirthDate);
}
