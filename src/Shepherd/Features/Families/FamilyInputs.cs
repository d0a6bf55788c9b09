using Shepherd.Data.Families;
using Shepherd.Data.People;
using Shepherd.Features.People;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Families;

/// <summary>The family form's own fields; <see cref="ToRequest"/> makes the API's <see cref="FamilyRequest"/> of them.</summary>
public sealed class FamilyInput
{
    public string? Name { get; set; }
    public string? Street1 { get; set; }
    public string? Street2 { get; set; }
    public string? City { get; set; }
    public string? Region { get; set; }
    public string? PostalCode { get; set; }
    public string? Country { get; set; }
    public string? HomePhone { get; set; }
    public long? CampusId { get; set; }
    public bool Active { get; set; } = true;
    /// <summary>The version an edit form was loaded from.</summary>
    public int Version { get; set; }

    public static FamilyInput From(Family f) => new()
    {
        Name = f.Name,
        Street1 = f.Address.Street1,
        Street2 = f.Address.Street2,
        City = f.Address.City,
        Region = f.Address.Region,
        PostalCode = f.Address.PostalCode,
        Country = f.Address.Country,
        HomePhone = f.HomePhone,
        CampusId = f.CampusId,
        Active = f.Active,
        Version = f.Version,
    };

    public FamilyRequest ToRequest() => new()
    {
        Name = Name ?? "",
        Address = new AddressDto { Street1 = Street1, Street2 = Street2, City = City, Region = Region, PostalCode = PostalCode, Country = Country },
        HomePhone = HomePhone,
        CampusId = CampusId,
        Active = Active,
    };

    /// <summary>"address.city" (the request's path) → "City" (this form's field).</summary>
    public static string FieldOf(string path) =>
        Shepherd.Platform.Web.Ui.FormErrors.PropertyPath(path.StartsWith("address.", StringComparison.Ordinal) ? path["address.".Length..] : path);
}

/// <summary>A new person typed into a family form: enough for a household (names, role, birth date, medical note).</summary>
public sealed class NewMemberInput
{
    public string? FirstName { get; set; }
    /// <summary>Blank: the family's last name (the first member's).</summary>
    public string? LastName { get; set; }
    public FamilyRole Role { get; set; }
    public DateOnly? BirthDate { get; set; }
    public Gender Gender { get; set; }
    public string? MedicalNote { get; set; }

    public bool IsBlank => string.IsNullOrWhiteSpace(FirstName) && string.IsNullOrWhiteSpace(LastName) && BirthDate is null
        && string.IsNullOrWhiteSpace(MedicalNote);

    /// <summary>The person as POST /api/v1/people would receive them (new people start as visitors, as there).</summary>
    public PersonRequest ToRequest(string? familyLastName) => new()
    {
        FirstName = FirstName ?? "",
        LastName = string.IsNullOrWhiteSpace(LastName) ? familyLastName ?? "" : LastName,
        BirthDate = BirthDate,
        Gender = Gender,
        MedicalNote = MedicalNote,
    };
}
