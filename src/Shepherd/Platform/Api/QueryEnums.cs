using System.Text.Json;

namespace Shepherd.Platform.Api;

/// <summary>
/// Enum filters in query strings, spelled as the JSON spells them ("smallGroup"), any case. Numbers are refused:
/// the API never exposes enum values as numbers.
/// </summary>
public static class QueryEnums
{
    public static bool TryParse<T>(string value, out T result) where T : struct, Enum =>
        Enum.TryParse(value, ignoreCase: true, out result) && value.Length > 0 && char.IsLetter(value[0]) && Enum.IsDefined(result);

    /// <summary>The 400 for a query parameter that names no value of <typeparamref name="T"/>, listing the accepted ones.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem Unknown<T>(string field, string value) where T : struct, Enum =>
        ApiResults.Invalid(field, $"Unknown {field} '{value}'. Use one of: {Names<T>()}.");

    /// <summary>The accepted spellings, for error messages: "smallGroup, ministry, …".</summary>
    public static string Names<T>() where T : struct, Enum =>
        string.Join(", ", Enum.GetNames<T>().Select(JsonNamingPolicy.CamelCase.ConvertName));
}
