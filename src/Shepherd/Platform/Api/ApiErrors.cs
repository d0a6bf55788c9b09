using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Shepherd.Platform.Api;

/// <summary>
/// Turns every failure into RFC 9457 problem details: malformed JSON and wrong types are 400 with the field,
/// concurrent edits and constraint conflicts are 409, anything unexpected is a 500 without internals.
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException bad => BadRequest(bad),
            DbUpdateConcurrencyException => Problem(StatusCodes.Status409Conflict, "Edit conflict",
                "The record was changed by someone else since you loaded it. Load it again and repeat your change."),
            DbUpdateException db when IsConstraintViolation(db) => Problem(StatusCodes.Status409Conflict, "Conflict",
                "The change conflicts with existing data (a duplicate, or a record still in use)."),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => null,
            _ => null,
        };
        if (problem is null)
        {
            if (httpContext.RequestAborted.IsCancellationRequested)
            {
                return true;
            }
            logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = Problem(StatusCodes.Status500InternalServerError, "Server error",
                "Something went wrong on the server. It has been logged; quote the trace id when reporting it.");
        }
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails BadRequest(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            var field = JsonPathToField(json.Path);
            return new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                [field] = [json.Path is null or "$" ? "The body is not valid JSON."
                    : json.Message.Contains("NUL characters", StringComparison.Ordinal) ? "Text may not contain NUL characters or broken Unicode."
                    : "This value has the wrong type or format."],
            })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request body could not be read",
                Detail = "Send a JSON object whose fields have the documented types.",
            };
        }
        return Problem(bad.StatusCode, "Bad request", bad.Message);
    }

    /// <summary>"$.emails[0].address" → "emails[0].address"; the whole document → "body".</summary>
    private static string JsonPathToField(string? path) =>
        path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>A unique, foreign-key or check constraint refused the write (on either provider).</summary>
    internal static bool IsConstraintViolation(DbUpdateException e) => e.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19, // SQLITE_CONSTRAINT
        PostgresException postgres => postgres.SqlState.StartsWith("23", StringComparison.Ordinal), // integrity_constraint_violation
        _ => false,
    };

    private static ProblemDetails Problem(int status, string title, string detail) =>
        new() { Status = status, Title = title, Detail = detail };
}
