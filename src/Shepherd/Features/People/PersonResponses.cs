using System.Globalization;
using Shepherd.Data.CustomFields;
using Shepherd.Data.Families;
using Shepherd.Data.People;
using Shepherd.Platform.Api;

namespace Shepherd.Features.People;

/// <summary>One row of the people list: enough to show and pick a person, nothing heavy.</summary>
public sealed record PersonSummary(
    long Id, string FirstName, string LastName, string? PreferredName, string DisplayName, string? Email, string? Phone,
    MembershipStatus MembershipStatus, bool Active, long? CampusId, DateTimeOffset? ArchivedAt);

public sealed record PersonEmailResponse(long Id, string Address, ContactLabel Label, bool IsPrimary);

public sealed record PersonPhoneResponse(long Id, string Number, ContactLabel Label, bool IsPrimary, bool CanText);

public sealed record PersonFamilyResponse(long FamilyId, string FamilyName, FamilyRole Role);

/// <summary>Each consent with the time it was last given or withdrawn; null: never asked.</summary>
public sealed record ConsentResponse(bool? Photo, DateTimeOffset? PhotoAt, bool? Email, DateTimeOffset? EmailAt, bool? Sms, DateTimeOffset? SmsAt)
{
    public static ConsentResponse From(Consent c) => new(c.Photo, c.PhotoAt, c.Email, c.EmailAt, c.Sms, c.SmsAt);
}

/// <summary>Everything about one person, as GET /api/v1/people/{id} returns it.</summary>
public sealed record PersonDetail(
    long Id, string FirstName, string? MiddleName, string LastName, string? PreferredName, string? Suffix, string DisplayName,
    IReadOnlyList<PersonEmailResponse> Emails, IReadOnlyList<PersonPhoneResponse> Phones, AddressDto Address,
    DateOnly? BirthDate, DateOnly? JoinDate, Gender Gender, MembershipStatus MembershipStatus, long? CampusId, bool Active,
    string? MedicalNote, DateTimeOffset? ArchivedAt, long? MergedIntoId, DateTimeOffset? PhotoUpdatedAt, IReadOnlyDictionary<string, object?> CustomFields,
    IReadOnlyList<PersonFamilyResponse> Families, ConsentResponse Consent, DateTimeOffset? ErasedAt,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version)
{
    public static PersonDetail From(Person p, IReadOnlyDictionary<long, CustomFieldDefinition> definitions, IReadOnlyList<PersonFamilyResponse> families) => new(
        p.Id, p.FirstName, p.MiddleName, p.LastName, p.PreferredName, p.Suffix, DisplayNameOf(p.FirstName, p.PreferredName, p.LastName),
        [.. p.Emails.OrderByDescending(e => e.IsPrimary).ThenBy(e => e.Id).Select(e => new PersonEmailResponse(e.Id, e.Address, e.Label, e.IsPrimary))],
        [.. p.Phones.OrderByDescending(x => x.IsPrimary).ThenBy(x => x.Id).Select(x => new PersonPhoneResponse(x.Id, x.Number, x.Label, x.IsPrimary, x.CanText))],
        AddressDto.From(p.Address), p.BirthDate, p.JoinDate, p.Gender, p.MembershipStatus, p.CampusId, p.Active,
        p.MedicalNote, p.ArchivedAt, p.MergedIntoId, p.PhotoUpdatedAt, CustomFieldsOf(p, definitions), families, ConsentResponse.From(p.Consent), p.ErasedAt,
        p.CreatedAt, p.UpdatedAt, p.Version);

    public static string DisplayNameOf(string firstName, string? preferredName, string lastName) =>
        $"{(string.IsNullOrWhiteSpace(preferredName) ? firstName : preferredName)} {lastName}";

    /// <summary>Values go out typed as their field says (numbers as numbers, booleans as booleans), keyed by the field's key.</summary>
    private static SortedDictionary<string, object?> CustomFieldsOf(Person p, IReadOnlyDictionary<long, CustomFieldDefinition> definitions)
    {
        var result = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var value in p.CustomFieldValues)
        {
            if (!definitions.TryGetValue(value.DefinitionId, out var definition))
            {
                continue;
            }
            result[definition.Key] = definition.Type switch
            {
                CustomFieldType.Number when decimal.TryParse(value.Value, NumberStyles.Number, CultureInfo.InvariantCulture, out var n) => n,
                CustomFieldType.Boolean when bool.TryParse(value.Value, out var b) => b,
                _ => value.Value,
            };
        }
        return result;
    }
}
