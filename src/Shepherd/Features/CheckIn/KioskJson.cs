using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Shepherd.Platform;

namespace Shepherd.Features.CheckIn;

/// <summary>
/// JSON in and out of the kiosk's page handlers, shaped as the API's: camelCase, enums as strings, errors as problem
/// details with the field names the API uses. A body that cannot be read is a 400, never a 500.
/// </summary>
public static class KioskJson
{
    public static readonly JsonSerializerOptions Options = Create();

    public static JsonResult Ok(object value, int status = StatusCodes.Status200OK) => new(value, Options) { StatusCode = status };

    public static JsonResult Problem(int status, string title, string detail, IDictionary<string, string[]>? errors = null) =>
        new(new { type = (string?)null, title, status, detail, errors }, Options) { StatusCode = status, ContentType = "application/problem+json" };

    public static JsonResult Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static JsonResult Invalid(IDictionary<string, string[]> errors) =>
        Problem(StatusCodes.Status400BadRequest, "One or more fields are invalid", "Correct the fields named in errors and send it again.", errors);

    /// <summary>The request's JSON body checked against its DataAnnotations, or the problem to answer instead.</summary>
    public static async Task<(T? Value, JsonResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, Invalid("body", "Send the check-in as JSON (Content-Type: application/json)."));
        }
        T? value;
        try
        {
            value = await request.ReadFromJsonAsync<T>(Options, ct);
        }
        catch (JsonException e)
        {
            var field = e.Path is null or "$" ? "body" : e.Path.TrimStart('$', '.');
            return (null, Invalid(field, e.Path is null or "$" ? "The body is not valid JSON." : "This value has the wrong type or format."));
        }
        if (value is null)
        {
            return (null, Invalid("body", "The body is not valid JSON."));
        }
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true))
        {
            var errors = results
                .SelectMany(r => r.MemberNames.DefaultIfEmpty("body").Select(m => (Field: JsonNamingPolicy.CamelCase.ConvertName(m), r.ErrorMessage)))
                .GroupBy(e => e.Field)
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage ?? "This value is invalid.").ToArray());
            return (null, Invalid(errors));
        }
        return (value, null);
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ShepherdWebApp.ConfigureJson(options);
        return options;
    }
}
