using System.Globalization;
using System.Text.Json;
using Shepherd.Data.CustomFields;
using Shepherd.Data.People;
using Shepherd.Platform.Api;

namespace Shepherd.Features.People;

/// <summary>
/// The person form's fields as the browser posts them. <see cref="ToRequest"/> turns them into the API's
/// <see cref="PersonRequest"/>, which the page then checks and writes exactly as the endpoint does; blank contact rows are
/// left out, and <see cref="FieldOf"/> maps the request's error paths back onto the form's fields.
/// </summary>
public sealed class PersonInput
{
    /// <summary>Blank rows the form offers for a new e-mail or phone.</summary>
    public const int BlankRows = 1;

    public string? FirstName { get; set; }
    public string? MiddleName { get; set; }
    public string? LastName { get; set; }
    public string? PreferredName { get; set; }
    public string? Suffix { get; set; }
    public List<EmailInput> Emails { get; set; } = [];
    /// <summary>The index (in <see cref="Emails"/>) of the primary address.</summary>
    public int? PrimaryEmail { get; set; }
    public List<PhoneInput> Phones { get; set; } = [];
    public int? PrimaryPhone { get; set; }
    public AddressInput Address { get; set; } = new();
    public DateOnly? BirthDate { get; set; }
    public DateOnly? JoinDate { get; set; }
    public Gender Gender { get; set; }
    public MembershipStatus MembershipStatus { get; set; } = MembershipStatus.Visitor;
    public long? CampusId { get; set; }
    public bool Active { get; set; } = true;
    public string? MedicalNote { get; set; }
    /// <summary>Values by the field's key, as typed ("true"/"false" for yes/no fields); blank removes a value.</summary>
    public Dictionary<string, string?> CustomFields { get; set; } = new(StringComparer.Ordinal);
    public bool? ConsentPhoto { get; set; }
    public bool? ConsentEmail { get; set; }
    public bool? ConsentSms { get; set; }
    /// <summary>The version the form was loaded from (edits only): a save over someone else's says so.</summary>
    public int Version { get; set; }

    public static PersonInput From(Person p, IReadOnlyDictionary<long, CustomFieldDefinition> definitions)
    {
        var emails = p.Emails.OrderByDescending(e => e.IsPrimary).ThenBy(e => e.Id).ToList();
        var phones = p.Phones.OrderByDescending(x => x.IsPrimary).ThenBy(x => x.Id).ToList();
        return new PersonInput
        {
            FirstName = p.FirstName,
            MiddleName = p.MiddleName,
            LastName = p.LastName,
            PreferredName = p.PreferredName,
            Suffix = p.Suffix,
            Emails = [.. emails.Select(e => new EmailInput { Address = e.Address, Label = e.Label })],
            PrimaryEmail = emails.FindIndex(e => e.IsPrimary) is var i and >= 0 ? i : null,
            Phones = [.. phones.Select(x => new PhoneInput { Number = x.Number, Label = x.Label, CanText = x.CanText })],
            PrimaryPhone = phones.FindIndex(x => x.IsPrimary) is var j and >= 0 ? j : null,
            Address = AddressInput.From(p.Address),
            BirthDate = p.BirthDate,
            JoinDate = p.JoinDate,
            Gender = p.Gender,
            MembershipStatus = p.MembershipStatus,
            CampusId = p.CampusId,
            Active = p.Active,
            MedicalNote = p.MedicalNote,
            CustomFields = p.CustomFieldValues.Where(v => definitions.ContainsKey(v.DefinitionId))
                .ToDictionary(v => definitions[v.DefinitionId].Key, v => (string?)v.Value, StringComparer.Ordinal),
            ConsentPhoto = p.Consent.Photo,
            ConsentEmail = p.Consent.Email,
            ConsentSms = p.Consent.Sms,
            Version = p.Version,
        };
    }

    /// <summary>Adds the blank rows a person fills to add an e-mail or phone (and <paramref name="extra"/> more of one kind).</summary>
    public PersonInput WithBlankRows(string? extra = null)
    {
        for (var i = Emails.Count(e => string.IsNullOrWhiteSpace(e.Address)); i < BlankRows + (extra == "email" ? 1 : 0); i++)
        {
            Emails.Add(new EmailInput());
        }
        for (var i = Phones.Count(x => string.IsNullOrWhiteSpace(x.Number)); i < BlankRows + (extra == "phone" ? 1 : 0); i++)
        {
            Phones.Add(new PhoneInput());
        }
        return this;
    }

    /// <summary>The request the API would receive: blank e-mail and phone rows and blank custom values left out.</summary>
    public PersonRequest ToRequest(IReadOnlyList<CustomFieldDefinition> definitions)
    {
        var byKey = definitions.ToDictionary(d => d.Key, StringComparer.Ordinal);
        var custom = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (key, text) in CustomFields)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            custom[key] = byKey.TryGetValue(key, out var d) && d.Type == CustomFieldType.Boolean && bool.TryParse(text, out var flag)
                ? JsonSerializer.SerializeToElement(flag)
                : JsonSerializer.SerializeToElement(text.Trim());
        }
        return new PersonRequest
        {
            FirstName = FirstName ?? "",
            MiddleName = MiddleName,
            LastName = LastName ?? "",
            PreferredName = PreferredName,
            Suffix = Suffix,
            Emails = [.. EmailRows().Select(r => new PersonEmailRequest { Address = r.Row.Address, Label = r.Row.Label, IsPrimary = r.Index == PrimaryEmail })],
            Phones = [.. PhoneRows().Select(r => new PersonPhoneRequest { Number = r.Row.Number, Label = r.Row.Label, IsPrimary = r.Index == PrimaryPhone, CanText = r.Row.CanText })],
            Address = Address.ToDto(),
            BirthDate = BirthDate,
            JoinDate = JoinDate,
            Gender = Gender,
            MembershipStatus = MembershipStatus,
            CampusId = CampusId,
            Active = Active,
            MedicalNote = MedicalNote,
            CustomFields = custom,
            Consent = new ConsentRequest { Photo = ConsentPhoto, Email = ConsentEmail, Sms = ConsentSms },
        };
    }

    /// <summary>
    /// The form field an error of the request names: "emails[0].address" is the first filled e-mail row, wherever it sits
    /// on the form; "customFields.shirt" is CustomFields[shirt].
    /// </summary>
    public string FieldOf(string path)
    {
        static string Rest(string path) => path[(path.IndexOf(']', StringComparison.Ordinal) + 1)..];
        if (path.StartsWith("customFields.", StringComparison.Ordinal))
        {
            return $"CustomFields[{path["customFields.".Length..]}]";
        }
        if (RowIndex(path, "emails[") is { } e && e < EmailRows().Count)
        {
            return $"Emails[{EmailRows()[e].Index.ToString(CultureInfo.InvariantCulture)}]{Shepherd.Platform.Web.Ui.FormErrors.PropertyPath(Rest(path))}";
        }
        if (RowIndex(path, "phones[") is { } p && p < PhoneRows().Count)
        {
            return $"Phones[{PhoneRows()[p].Index.ToString(CultureInfo.InvariantCulture)}]{Shepherd.Platform.Web.Ui.FormErrors.PropertyPath(Rest(path))}";
        }
        return Shepherd.Platform.Web.Ui.FormErrors.PropertyPath(path);
    }

    private static int? RowIndex(string path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && path.IndexOf(']', StringComparison.Ordinal) is var end and > 0
        && int.TryParse(path.AsSpan(prefix.Length, end - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;

    private List<(EmailInput Row, int Index)> EmailRows() =>
        [.. Emails.Select((row, index) => (row, index)).Where(r => !string.IsNullOrWhiteSpace(r.row.Address))];

    private List<(PhoneInput Row, int Index)> PhoneRows() =>
        [.. Phones.Select((row, index) => (row, index)).Where(r => !string.IsNullOrWhiteSpace(r.row.Number))];
}

public sealed class EmailInput
{
    public string? Address { get; set; }
    public ContactLabel Label { get; set; } = ContactLabel.Home;
}

public sealed class PhoneInput
{
    public string? Number { get; set; }
    public ContactLabel Label { get; set; } = ContactLabel.Mobile;
    public bool CanText { get; set; }
}

public sealed class AddressInput
{
    public string? Street1 { get; set; }
    public string? Street2 { get; set; }
    public string? City { get; set; }
    public string? Region { get; set; }
    public string? PostalCode { get; set; }
    public string? Country { get; set; }

    public static AddressInput From(Data.Tenancy.Address a) => new()
    {
        Street1 = a.Street1,
        Street2 = a.Street2,
        City = a.City,
        Region = a.Region,
        PostalCode = a.PostalCode,
        Country = a.Country,
    };

    public AddressDto ToDto() => new() { Street1 = Street1, Street2 = Street2, City = City, Region = Region, PostalCode = PostalCode, Country = Country };
}
