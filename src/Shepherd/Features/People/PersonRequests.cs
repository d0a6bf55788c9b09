using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Shepherd.Data.People;
using Shepherd.Platform.Api;

namespace Shepherd.Features.People;

/// <summary>The body of POST and PUT /api/v1/people. PUT is a full update: lists left out are emptied.</summary>
public sealed record PersonRequest
{
    [Required, StringLength(100, MinimumLength = 1)]
    public string? FirstName { get; init; }

    [StringLength(100)]
    public string? MiddleName { get; init; }

    [Required, StringLength(100, MinimumLength = 1)]
    public string? LastName { get; init; }

    [StringLength(100)]
    public string? PreferredName { get; init; }

    [StringLength(20)]
    public string? Suffix { get; init; }

    public List<PersonEmailRequest>? Emails { get; init; }

    public List<PersonPhoneRequest>? Phones { get; init; }

    public AddressDto? Address { get; init; }

    public DateOnly? BirthDate { get; init; }

    public DateOnly? JoinDate { get; init; }

    public Gender? Gender { get; init; }

    public MembershipStatus? MembershipStatus { get; init; }

    public long? CampusId { get; init; }

    public bool? Active { get; init; }

    /// <summary>Custom field values by the field's key; null removes a value.</summary>
    public Dictionary<string, JsonElement>? CustomFields { get; init; }
}

public sealed record PersonEmailRequest
{
    [Required, StringLength(254, MinimumLength = 3)]
    public string? Address { get; init; }

    public ContactLabel? Label { get; init; }

    public bool IsPrimary { get; init; }
}

public sealed record PersonPhoneRequest
{
    [Required, StringLength(30, MinimumLength = 3)]
    public string? Number { get; init; }

    public ContactLabel? Label { get; init; }

    public bool IsPrimary { get; init; }

    public bool CanText { get; init; }
}
