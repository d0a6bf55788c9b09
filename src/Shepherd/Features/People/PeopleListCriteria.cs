using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.CustomFields;
using Shepherd.Data.People;
using Shepherd.Platform;
using Shepherd.Platform.Api;

namespace Shepherd.Features.People;

/// <summary>
/// The people list's filters that need reading before they can be applied: the status by name, the age range as birth
/// dates in the organization's calendar, the custom field by key with its value normalized as stored. The API's list and
/// the /people page read them here, so both accept and refuse the same query with the same words.
/// </summary>
public sealed record PeopleListCriteria(
    MembershipStatus? Status, DateOnly? BornOnOrBefore, DateOnly? BornAfter, CustomFieldDefinition? Field, string? FieldValue)
{
    /// <summary>The criteria, or field errors keyed by the query parameter ("status", "maxAge", "value").</summary>
    public static async Task<(PeopleListCriteria? Criteria, Dictionary<string, string[]> Errors)> ReadAsync(
        PeopleListQuery query, ShepherdDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!query.SortIsKnown)
        {
            errors["sort"] = [$"Sort by one of {string.Join(", ", PeopleListQuery.Sorts)}, with a leading '-' for descending order."];
        }
        MembershipStatus? status = null;
        if (!string.IsNullOrWhiteSpace(query.Status))
        {
            if (QueryEnums.TryParse<MembershipStatus>(query.Status.Trim(), out var parsed))
            {
                status = parsed;
            }
            else
            {
                errors["status"] = [$"Unknown status '{query.Status}'. Use one of: {QueryEnums.Names<MembershipStatus>()}."];
            }
        }
        if (query.MinAge is { } min && query.MaxAge is { } max && min > max)
        {
            errors["maxAge"] = ["The highest age cannot be below the lowest."];
        }
        var (field, value) = await ReadFieldAsync(query, db, errors, ct);
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        DateOnly? bornOnOrBefore = null, bornAfter = null;
        if (query.MinAge is not null || query.MaxAge is not null)
        {
            var today = await OrganizationCalendar.TodayAsync(db, clock, ct);
            // At least N years old: born on or before today N years ago. At most M: born after today M + 1 years ago.
            bornOnOrBefore = query.MinAge is { } least ? today.AddYears(-least) : null;
            bornAfter = query.MaxAge is { } most ? today.AddYears(-(most + 1)) : null;
        }
        return (new PeopleListCriteria(status, bornOnOrBefore, bornAfter, field, value), errors);
    }

    private static async Task<(CustomFieldDefinition? Field, string? Value)> ReadFieldAsync(
        PeopleListQuery query, ShepherdDbContext db, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        var key = query.Field?.Trim();
        var text = query.Value?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            return (null, null);
        }
        var field = await db.CustomFields.AsNoTracking().FirstOrDefaultAsync(f => f.Key == key, ct);
        if (field is null)
        {
            errors["field"] = [$"There is no custom field with key '{key}' in your organization."];
            return (null, null);
        }
        if (string.IsNullOrEmpty(text))
        {
            errors["value"] = [$"Give the value of '{field.Label}' to look for."];
            return (null, null);
        }
        if (field.Type == CustomFieldType.Text)
        {
            return (field, text.ToLowerInvariant());
        }
        // Checked and written as a person's value is stored (a date as yyyy-MM-dd, a yes/no as true or false).
        if (PersonRequestChecks.CustomFieldText(JsonSerializer.SerializeToElement(text), field, out var stored) is { } error)
        {
            errors["value"] = [error];
            return (null, null);
        }
        return (field, stored);
    }
}
