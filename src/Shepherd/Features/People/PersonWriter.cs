using System.Text.Json;
using Shepherd.Data.CustomFields;
using Shepherd.Data.People;

namespace Shepherd.Features.People;

/// <summary>Copies an already checked <see cref="PersonRequest"/> onto a person, replacing its contact lists and custom values.</summary>
internal static class PersonWriter
{
    /// <param name="now">When the change is made: the time recorded for a consent that changes.</param>
    public static void Apply(PersonRequest request, Person person, IReadOnlyList<CustomFieldDefinition> definitions, DateTimeOffset now)
    {
        person.FirstName = request.FirstName!.Trim();
        person.MiddleName = Clean(request.MiddleName);
        person.LastName = request.LastName!.Trim();
        person.PreferredName = Clean(request.PreferredName);
        person.Suffix = Clean(request.Suffix);
        person.Address = request.Address?.ToAddress() ?? new();
        person.BirthDate = request.BirthDate;
        person.JoinDate = request.JoinDate;
        person.Gender = request.Gender ?? Gender.Unknown;
        person.MembershipStatus = request.MembershipStatus ?? MembershipStatus.Visitor;
        person.CampusId = request.CampusId;
        person.Active = request.Active ?? true;
        person.MedicalNote = Clean(request.MedicalNote);

        person.Emails.Clear();
        foreach (var email in request.Emails ?? [])
        {
            var address = email.Address!.Trim();
            person.Emails.Add(new PersonEmail
            {
                Address = address,
                NormalizedAddress = address.ToLowerInvariant(),
                Label = email.Label ?? ContactLabel.Home,
                IsPrimary = email.IsPrimary,
            });
        }
        person.Phones.Clear();
        foreach (var phone in request.Phones ?? [])
        {
            var number = phone.Number!.Trim();
            person.Phones.Add(new PersonPhone
            {
                Number = number,
                Digits = PersonPhone.DigitsOf(number),
                Label = phone.Label ?? ContactLabel.Mobile,
                IsPrimary = phone.IsPrimary,
                CanText = phone.CanText,
            });
        }
        ReplaceCustomValues(request.CustomFields ?? [], person, definitions);
        ApplyConsent(request.Consent, person, now);
        person.RefreshSearchColumns();
    }

    /// <summary>A value that changes gets the server's time; the client never sets the times.</summary>
    private static void ApplyConsent(ConsentRequest? request, Person person, DateTimeOffset now)
    {
        if (request is null)
        {
            return;
        }
        // A new object, so EF sees the complex property change and the audit log records it.
        var consent = new Consent
        {
            Photo = person.Consent.Photo,
            PhotoAt = person.Consent.PhotoAt,
            Email = person.Consent.Email,
            EmailAt = person.Consent.EmailAt,
            Sms = person.Consent.Sms,
            SmsAt = person.Consent.SmsAt,
        };
        if (request.Photo is { } photo && photo != consent.Photo)
        {
            (consent.Photo, consent.PhotoAt) = (photo, now);
        }
        if (request.Email is { } email && email != consent.Email)
        {
            (consent.Email, consent.EmailAt) = (email, now);
        }
        if (request.Sms is { } sms && sms != consent.Sms)
        {
            (consent.Sms, consent.SmsAt) = (sms, now);
        }
        person.Consent = consent;
    }

    /// <summary>Updates values in place (one row per person and field is a unique index), removes the ones left out.</summary>
    private static void ReplaceCustomValues(Dictionary<string, JsonElement> values, Person person, IReadOnlyList<CustomFieldDefinition> definitions)
    {
        var wanted = new Dictionary<long, string>();
        foreach (var definition in definitions)
        {
            if (values.TryGetValue(definition.Key, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                PersonRequestChecks.CustomFieldText(value, definition, out var text);
                wanted[definition.Id] = text;
            }
        }
        person.CustomFieldValues.RemoveAll(v => !wanted.ContainsKey(v.DefinitionId));
        foreach (var (definitionId, text) in wanted)
        {
            var existing = person.CustomFieldValues.Find(v => v.DefinitionId == definitionId);
            if (existing is null)
            {
                person.CustomFieldValues.Add(new CustomFieldValue { DefinitionId = definitionId, Value = text });
            }
            else if (existing.Value != text)
            {
                existing.Value = text;
            }
        }
    }

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
