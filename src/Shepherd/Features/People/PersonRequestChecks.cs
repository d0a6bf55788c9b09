using System.Globalization;
using System.Net.Mail;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.CustomFields;
using Shepherd.Data.People;

namespace Shepherd.Features.People;

/// <summary>
/// The checks on a person's body that attributes cannot express: e-mail syntax, primary flags, dates against the clock
/// and custom field values against their definitions. All run before anything is changed, so a refused request writes nothing.
/// </summary>
internal static class PersonRequestChecks
{
    private static readonly DateOnly EarliestBirthDate = new(1900, 1, 1);

    /// <summary>Field errors in the body; empty when the body is acceptable.</summary>
    public static Dictionary<string, string[]> Check(PersonRequest request, IReadOnlyList<CustomFieldDefinition> definitions, TimeProvider clock, bool creating)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var emails = request.Emails ?? [];
        for (var i = 0; i < emails.Count; i++)
        {
            if (!IsEmailAddress(emails[i].Address!.Trim()))
            {
                errors[$"emails[{i}].address"] = ["This is not a valid e-mail address."];
            }
        }
        if (emails.Count(e => e.IsPrimary) > 1)
        {
            errors["emails"] = ["At most one e-mail address can be primary."];
        }
        var phones = request.Phones ?? [];
        for (var i = 0; i < phones.Count; i++)
        {
            if (PersonPhone.DigitsOf(phones[i].Number!).Length < 3)
            {
                errors[$"phones[{i}].number"] = ["A phone number needs at least 3 digits."];
            }
        }
        if (phones.Count(p => p.IsPrimary) > 1)
        {
            errors["phones"] = ["At most one phone number can be primary."];
        }
        // The date is "today" somewhere on earth (UTC+14), so nobody's birthday today is refused for their time zone.
        var latestToday = DateOnly.FromDateTime(clock.GetUtcNow().AddHours(14).UtcDateTime);
        if (request.BirthDate is { } birth && (birth > latestToday || birth < EarliestBirthDate))
        {
            errors["birthDate"] = [birth > latestToday ? "The birth date cannot be in the future." : "The birth date cannot be before 1900."];
        }
        if (request.JoinDate is { } joined && joined < EarliestBirthDate)
        {
            errors["joinDate"] = ["The join date cannot be before 1900."];
        }
        CheckCustomFields(request.CustomFields, definitions, creating, errors);
        return errors;
    }

    /// <summary>The body's own checks, then the ones that need the database (the campus must be in the organization).</summary>
    public static async Task<Dictionary<string, string[]>> CheckAsync(PersonRequest request, IReadOnlyList<CustomFieldDefinition> definitions,
        ShepherdDbContext db, TimeProvider clock, bool creating, CancellationToken ct)
    {
        var errors = Check(request, definitions, clock, creating);
        if (request.CampusId is { } campusId && !await db.Campuses.AnyAsync(c => c.Id == campusId, ct))
        {
            errors["campusId"] = [$"There is no campus with id {campusId} in your organization."];
        }
        return errors;
    }

    /// <summary>Stricter than [EmailAddress] (which only wants an @): a parseable address whose domain has a dot.</summary>
    public static bool IsEmailAddress(string text)
    {
        if (!MailAddress.TryCreate(text, out var parsed) || parsed.Address != text || parsed.DisplayName.Length > 0)
        {
            return false;
        }
        var domain = parsed.Host;
        return domain.Contains('.', StringComparison.Ordinal) && !domain.StartsWith('.') && !domain.EndsWith('.') && !text.Any(char.IsWhiteSpace);
    }

    private static void CheckCustomFields(Dictionary<string, JsonElement>? values, IReadOnlyList<CustomFieldDefinition> definitions,
        bool creating, Dictionary<string, string[]> errors)
    {
        var byKey = definitions.ToDictionary(d => d.Key, StringComparer.Ordinal);
        foreach (var (key, value) in values ?? [])
        {
            if (!byKey.TryGetValue(key, out var definition))
            {
                errors[$"customFields.{key}"] = [$"There is no custom field with key '{key}' in your organization."];
            }
            else if (value.ValueKind != JsonValueKind.Null && CustomFieldText(value, definition, out _) is { } error)
            {
                errors[$"customFields.{key}"] = [error];
            }
        }
        if (creating)
        {
            foreach (var required in definitions.Where(d => d.Required && d.Active))
            {
                if (values is null || !values.TryGetValue(required.Key, out var given) || given.ValueKind == JsonValueKind.Null)
                {
                    errors[$"customFields.{required.Key}"] = [$"'{required.Label}' is required."];
                }
            }
        }
    }

    /// <summary>The value as stored (invariant text), or an error message saying what the field accepts.</summary>
    public static string? CustomFieldText(JsonElement value, CustomFieldDefinition definition, out string text)
    {
        text = "";
        switch (definition.Type)
        {
            case CustomFieldType.Number:
                var number = value.ValueKind switch
                {
                    JsonValueKind.Number when value.TryGetDecimal(out var n) => n,
                    JsonValueKind.String when decimal.TryParse(value.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                        CultureInfo.InvariantCulture, out var n) => n,
                    _ => (decimal?)null,
                };
                if (number is null)
                {
                    return "This field takes a number, like 12 or 3.5.";
                }
                text = number.Value.ToString(CultureInfo.InvariantCulture);
                return null;
            case CustomFieldType.Date:
                if (value.ValueKind != JsonValueKind.String
                    || !DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    return "This field takes a date written yyyy-MM-dd.";
                }
                text = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                return null;
            case CustomFieldType.Boolean:
                if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    text = value.GetBoolean() ? "true" : "false";
                    return null;
                }
                if (value.ValueKind == JsonValueKind.String && value.GetString() is "true" or "false")
                {
                    text = value.GetString()!;
                    return null;
                }
                return "This field takes true or false.";
            case CustomFieldType.Choice:
                if (value.ValueKind != JsonValueKind.String || !definition.Choices.Contains(value.GetString()!, StringComparer.Ordinal))
                {
                    return $"This field takes one of: {string.Join(", ", definition.Choices)}.";
                }
                text = value.GetString()!;
                return null;
            default:
                if (value.ValueKind != JsonValueKind.String)
                {
                    return "This field takes text.";
                }
                text = value.GetString()!.Trim();
                return text.Length > 1000 ? "This field takes at most 1000 characters." : null;
        }
    }
}
