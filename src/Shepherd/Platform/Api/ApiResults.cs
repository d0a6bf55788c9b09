using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Shepherd.Platform.Api;

/// <summary>The problem responses every endpoint uses, so their wording and shape stay the same everywhere.</summary>
public static class ApiResults
{
    /// <summary>404 for ids that do not exist in the caller's organization, including another organization's ids.</summary>
    public static ProblemHttpResult NotFound(string what, long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found",
            detail: $"There is no {what.ToLowerInvariant()} with id {id.ToString(CultureInfo.InvariantCulture)} in your organization.");

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] },
            title: "One or more fields are invalid");

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "One or more fields are invalid");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    public static ProblemHttpResult PreconditionFailed() =>
        TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Edit conflict",
            detail: "The record was changed since you loaded it (If-Match does not match its ETag). Load it again and repeat your change.");
}

/// <summary>Optimistic concurrency over HTTP: the ETag is the row's version; If-Match on an update must match it.</summary>
public static class ETags
{
    public static string For(int version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    public static void Set(HttpContext context, int version) => context.Response.Headers.ETag = For(version);

    /// <summary>True when the request carries no If-Match, or one that matches the current version.</summary>
    public static bool Matches(HttpRequest request, int version)
    {
        var ifMatch = request.Headers.IfMatch.ToString();
        if (string.IsNullOrEmpty(ifMatch) || ifMatch == "*")
        {
            return true;
        }
        var current = For(version);
        return ifMatch.Split(',').Select(t => t.Trim().Replace("W/", "", StringComparison.Ordinal)).Contains(current);
    }
}

/// <summary>Problem details carry the trace id, so a person reporting an error can quote it.</summary>
public static class ProblemDetailsSetup
{
    public static void Customize(ProblemDetailsContext context)
    {
        if (context.ProblemDetails is HttpValidationProblemDetails validation)
        {
            CamelCaseFieldNames(validation.Errors);
        }
        context.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
    }

    /// <summary>Validation reports C# member paths ("Address.City"); clients send JSON names ("address.city").</summary>
    private static void CamelCaseFieldNames(IDictionary<string, string[]> errors)
    {
        foreach (var key in errors.Keys.ToList())
        {
            var json = string.Join('.', key.Split('.').Select(part => part.Length == 0 ? part : char.ToLowerInvariant(part[0]) + part[1..]));
            if (json != key)
            {
                errors[json] = errors.TryGetValue(json, out var existing) ? [.. existing, .. errors[key]] : errors[key];
                errors.Remove(key);
            }
        }
    }
}
