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

    /// <summary>
    /// Allergies and medical needs ("peanut allergy: EpiPen in the bag"), printed on a child's check-in label. Readable by
    /// every role that reads people: the volunteers caring for the child must see it.
    /// </summary>
    [StringLength(MedicalNoteMaxLength)]
    public string? MedicalNote { get; init; }

    public const int MedicalNoteMaxLength = 500;

    /// <summary>Custom field values by the field's key; null removes a value.</summary>
    public Dictionary<string, JsonElement>? CustomFields { get; init; }

    /// <summary>
    /// What the person agreed to. Unlike the rest of a PUT, leaving it out (or one of its fields) keeps what is recorded:
    /// a client that does not know about consent never wipes it. The server records when each value changed.
    /// </summary>
    public ConsentRequest? Consent { get; init; }
}

/// <summary>true: agreed; false: refused or withdrawn; left out: unchanged.</summary>
public sealed record ConsentRequest
{
    /// <summary>Photos of the person may be taken and shown.</summary>
    public bool? Photo { get; init; }

    /// <summary>The church may contact the person by e-mail.</summary>
    public bool? Email { get; init; }

    /// <summary>The church may contact the person by SMS.</summary>
    public bool? Sms { get; init; }
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
