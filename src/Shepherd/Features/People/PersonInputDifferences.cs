using Shepherd.Data.CustomFields;

namespace Shepherd.Features.People;

/// <summary>The fields two versions of the person form disagree on, by their labels: what an edit conflict shows.</summary>
internal static class PersonInputDifferences
{
    public static IReadOnlyList<string> Between(PersonInput typed, PersonInput saved, IReadOnlyList<CustomFieldDefinition> fields)
    {
        var differences = new List<string>();
        void Compare(string label, object? a, object? b)
        {
            if (!Equals(Blank(a), Blank(b)))
            {
                differences.Add(label);
            }
        }
        Compare("First name", typed.FirstName, saved.FirstName);
        Compare("Middle name", typed.MiddleName, saved.MiddleName);
        Compare("Last name", typed.LastName, saved.LastName);
        Compare("Goes by", typed.PreferredName, saved.PreferredName);
        Compare("Suffix", typed.Suffix, saved.Suffix);
        Compare("E-mail addresses", Emails(typed), Emails(saved));
        Compare("Phone numbers", Phones(typed), Phones(saved));
        Compare("Address", Address(typed.Address), Address(saved.Address));
        Compare("Birth date", typed.BirthDate, saved.BirthDate);
        Compare("Joined on", typed.JoinDate, saved.JoinDate);
        Compare("Gender", typed.Gender, saved.Gender);
        Compare("Membership", typed.MembershipStatus, saved.MembershipStatus);
        Compare("Campus", typed.CampusId, saved.CampusId);
        Compare("Active", typed.Active, saved.Active);
        Compare("Allergies and medical needs", typed.MedicalNote, saved.MedicalNote);
        foreach (var field in fields)
        {
            Compare(field.Label, typed.CustomFields.GetValueOrDefault(field.Key), saved.CustomFields.GetValueOrDefault(field.Key));
        }
        Compare("Consent", (typed.ConsentPhoto, typed.ConsentEmail, typed.ConsentSms), (saved.ConsentPhoto, saved.ConsentEmail, saved.ConsentSms));
        return differences;
    }

    private static object? Blank(object? value) => value is string s ? (string.IsNullOrWhiteSpace(s) ? null : s.Trim()) : value;

    private static string Emails(PersonInput input) =>
        string.Join('|', input.Emails.Where(e => !string.IsNullOrWhiteSpace(e.Address)).Select(e => $"{e.Address!.Trim().ToLowerInvariant()} {e.Label}"));

    private static string Phones(PersonInput input) =>
        string.Join('|', input.Phones.Where(p => !string.IsNullOrWhiteSpace(p.Number)).Select(p => $"{p.Number!.Trim()} {p.Label} {p.CanText}"));

    private static string Address(AddressInput a) =>
        string.Join('|', new[] { a.Street1, a.Street2, a.City, a.Region, a.PostalCode, a.Country }.Select(p => p?.Trim() ?? ""));
}
