using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.CustomFields;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.CustomFields;

/// <summary>
/// Custom field definitions: the extra fields a church adds to people. /api/v1/custom-fields
/// Once people have values for a field, the changes that would make those values meaningless
/// (a new key or type, removing a choice in use, deleting the field) are refused with 409.
/// </summary>
public static class CustomFieldsApi
{
    public const int MaxChoices = 100;
    public const int MaxChoiceLength = 100;

    public static void MapCustomFieldsApi(this IEndpointRouteBuilder api)
    {
        var fields = api.MapGroup("/custom-fields").WithTags("Custom fields");
        fields.MapGet("/", ListAsync).RequirePermission(Permission.PeopleRead);
        fields.MapGet("/{id:long}", GetAsync).RequirePermission(Permission.PeopleRead);
        fields.MapPost("/", CreateAsync).RequirePermission(Permission.SettingsWrite);
        fields.MapPut("/{id:long}", UpdateAsync).RequirePermission(Permission.SettingsWrite);
        fields.MapDelete("/{id:long}", DeleteAsync).RequirePermission(Permission.SettingsWrite);
    }

    public sealed record CustomFieldRequest
    {
        /// <summary>Stable identifier used in the API: a lower-case letter, then up to 49 lower-case letters, digits or dashes.</summary>
        [Required, RegularExpression("^[a-z][a-z0-9-]{0,49}$",
            ErrorMessage = "key must start with a lower-case letter and contain only lower-case letters, digits and dashes (at most 50 characters).")]
        public string? Key { get; init; }

        [Required, StringLength(100, MinimumLength = 1)]
        public string? Label { get; init; }

        [Required]
        public CustomFieldType? Type { get; init; }

        /// <summary>The allowed values of a choice field (1 to 100 distinct texts); empty or left out for other types.</summary>
        public List<string>? Choices { get; init; }

        public bool? Required { get; init; }

        public int? SortOrder { get; init; }

        public bool? Active { get; init; }
    }

    public sealed record CustomFieldResponse(
        long Id, string Key, string Label, CustomFieldType Type, IReadOnlyList<string> Choices, bool Required, int SortOrder, bool Active, int Version)
    {
        public static CustomFieldResponse From(CustomFieldDefinition f) =>
            new(f.Id, f.Key, f.Label, f.Type, f.Choices, f.Required, f.SortOrder, f.Active, f.Version);
    }

    private static async Task<Ok<Page<CustomFieldResponse>>> ListAsync([AsParameters] PageRequest page, ShepherdDbContext db, CancellationToken ct)
    {
        var query = db.CustomFields.AsNoTracking();
        var total = await query.CountAsync(ct);
        var items = await query.OrderBy(f => f.SortOrder).ThenBy(f => f.Label).ThenBy(f => f.Id)
            .Skip(page.Skip).Take(page.Size).ToListAsync(ct);
        return TypedResults.Ok(new Page<CustomFieldResponse>([.. items.Select(CustomFieldResponse.From)], page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<CustomFieldResponse>, ProblemHttpResult>> GetAsync(long id, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var field = await db.CustomFields.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct);
        if (field is null)
        {
            return ApiResults.NotFound("Custom field", id);
        }
        ETags.Set(http, field.Version);
        return TypedResults.Ok(CustomFieldResponse.From(field));
    }

    private static async Task<Results<Created<CustomFieldResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CustomFieldRequest request, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        if (CleanChoices(request, out var choices) is { } invalid)
        {
            return invalid;
        }
        var key = request.Key!;
        if (await db.CustomFields.AnyAsync(f => f.Key == key, ct))
        {
            return DuplicateKey(key);
        }
        var field = new CustomFieldDefinition
        {
            Key = key,
            Label = request.Label!.Trim(),
            Type = request.Type!.Value,
            Choices = choices,
            Required = request.Required ?? false,
            SortOrder = request.SortOrder ?? 0,
            Active = request.Active ?? true,
        };
        db.CustomFields.Add(field);
        await db.SaveChangesAsync(ct);
        ETags.Set(http, field.Version);
        return TypedResults.Created($"/api/v1/custom-fields/{field.Id}", CustomFieldResponse.From(field));
    }

    private static async Task<Results<Ok<CustomFieldResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, CustomFieldRequest request, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        var field = await db.CustomFields.FirstOrDefaultAsync(f => f.Id == id, ct);
        if (field is null)
        {
            return ApiResults.NotFound("Custom field", id);
        }
        if (!ETags.Matches(http.Request, field.Version))
        {
            return ApiResults.PreconditionFailed();
        }
        if (CleanChoices(request, out var choices) is { } invalid)
        {
            return invalid;
        }
        var key = request.Key!;
        var type = request.Type!.Value;
        if (key != field.Key && await db.CustomFields.AnyAsync(f => f.Key == key && f.Id != id, ct))
        {
            return DuplicateKey(key);
        }
        if ((key != field.Key || type != field.Type) && await db.CustomFieldValues.AnyAsync(v => v.DefinitionId == id, ct))
        {
            return ApiResults.Conflict(key != field.Key
                ? $"The key of '{field.Label}' cannot change from '{field.Key}' because people already have values for it."
                : $"The type of '{field.Label}' cannot change from {field.Type} because people already have values for it.");
        }
        var removed = field.Choices.Except(choices, StringComparer.Ordinal).ToList();
        if (removed.Count > 0)
        {
            var inUse = await db.CustomFieldValues.Where(v => v.DefinitionId == id && removed.Contains(v.Value))
                .Select(v => v.Value).Distinct().ToListAsync(ct);
            if (inUse.Count > 0)
            {
                inUse.Sort(StringComparer.Ordinal);
                return ApiResults.Conflict(
                    $"These choices cannot be removed because people have them as their value: {string.Join(", ", inUse.Select(c => $"'{c}'"))}.");
            }
        }
        field.Key = key;
        field.Label = request.Label!.Trim();
        field.Type = type;
        field.Choices = choices;
        field.Required = request.Required ?? field.Required;
        field.SortOrder = request.SortOrder ?? field.SortOrder;
        field.Active = request.Active ?? field.Active;
        await db.SaveChangesAsync(ct);
        ETags.Set(http, field.Version);
        return TypedResults.Ok(CustomFieldResponse.From(field));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, ShepherdDbContext db, CancellationToken ct)
    {
        var field = await db.CustomFields.FirstOrDefaultAsync(f => f.Id == id, ct);
        if (field is null)
        {
            return ApiResults.NotFound("Custom field", id);
        }
        if (await db.CustomFieldValues.AnyAsync(v => v.DefinitionId == id, ct))
        {
            return ApiResults.Conflict($"People have values for '{field.Label}'. Hide it with \"active\": false instead of deleting it.");
        }
        db.CustomFields.Remove(field);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Choices are required for a choice field (1 to 100 distinct, non-blank texts of at most 100 characters) and refused for any other type.</summary>
    private static ValidationProblem? CleanChoices(CustomFieldRequest request, out List<string> choices)
    {
        choices = [];
        var given = request.Choices ?? [];
        if (request.Type != CustomFieldType.Choice)
        {
            return given.Count == 0 ? null : ApiResults.Invalid("choices", "choices are only allowed for fields of type choice; leave them out.");
        }
        if (given.Count is 0 or > MaxChoices)
        {
            return ApiResults.Invalid("choices", $"A choice field needs 1 to {MaxChoices} choices.");
        }
        if (given.Any(c => string.IsNullOrWhiteSpace(c) || c.Trim().Length > MaxChoiceLength))
        {
            return ApiResults.Invalid("choices", $"Each choice must be 1 to {MaxChoiceLength} characters.");
        }
        var trimmed = given.Select(c => c.Trim()).ToList();
        var duplicate = trimmed.GroupBy(c => c, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            return ApiResults.Invalid("choices", $"The choice '{duplicate.Key}' is listed more than once.");
        }
        choices = trimmed;
        return null;
    }

    private static ProblemHttpResult DuplicateKey(string key) => ApiResults.Conflict($"A custom field with key '{key}' already exists.");
}
