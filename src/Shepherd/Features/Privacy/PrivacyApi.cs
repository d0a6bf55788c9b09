using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Data.People;
using Shepherd.Features.Audit;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Privacy;

/// <summary>
/// The GDPR/CCPA tools, administrators only (<see cref="Permission.PrivacyExport"/>, <see cref="Permission.PrivacyManage"/>):
/// GET /api/v1/people/{id}/export[?format=json|html] and POST /api/v1/people/{id}/erase.
/// </summary>
public static class PrivacyApi
{
    public sealed record EraseRequest
    {
        /// <summary>The person's full name as shown ("first last", or "preferred last"), typed again against accidents.</summary>
        public string? Confirm { get; init; }
    }

    public sealed record EraseResponse(long Id, string Name, DateTimeOffset ErasedAt, EraseSummary Removed);

    private static readonly JsonSerializerOptions ExportJson = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void MapPrivacyApi(this IEndpointRouteBuilder api)
    {
        var people = api.MapGroup("/people").WithTags("Privacy");
        people.MapGet("/{id:long}/export", ExportAsync).RequirePermission(Permission.PrivacyExport);
        people.MapPost("/{id:long}/erase", EraseAsync).RequirePermission(Permission.PrivacyManage);
    }

    private static async Task<IResult> ExportAsync(long id, string? format, ShepherdDbContext db, CancellationToken ct)
    {
        format = (format ?? "json").Trim().ToLowerInvariant();
        if (format is not ("json" or "html"))
        {
            return ApiResults.Invalid("format", "Use format=json (the default) or format=html.");
        }
        var export = await PersonExport.LoadAsync(db, id, ct);
        if (export is null)
        {
            return ApiResults.NotFound("Person", id);
        }
        // Who exported whom, when and how: never the exported data itself.
        AuditLog.Add(db, AuditAction.Exported, nameof(Person), id.ToString(CultureInfo.InvariantCulture), new { format });
        await db.SaveChangesAsync(ct);
        var file = $"person-{id.ToString(CultureInfo.InvariantCulture)}-export.{format}";
        if (format == "html")
        {
            return new FileDownload(PersonExportHtml.Render(export, ExportJson), "text/html; charset=utf-8", file);
        }
        return new FileDownload(JsonSerializer.Serialize(export, ExportJson), "application/json; charset=utf-8", file);
    }

    private static async Task<Results<Ok<EraseResponse>, ValidationProblem, ProblemHttpResult>> EraseAsync(
        long id, EraseRequest? request, ShepherdDbContext db, CancellationToken ct)
    {
        var person = await db.People.AsNoTracking().Where(p => p.Id == id)
            .Select(p => new { p.FirstName, p.PreferredName, p.LastName, p.ErasedAt }).FirstOrDefaultAsync(ct);
        if (person is null)
        {
            return ApiResults.NotFound("Person", id);
        }
        if (person.ErasedAt is not null)
        {
            return ApiResults.Conflict($"Person {id} was already erased on {person.ErasedAt:u}.");
        }
        if (!PersonEraser.Confirms(person.FirstName, person.PreferredName, person.LastName, request?.Confirm))
        {
            return ApiResults.Invalid("confirm", PersonEraser.ConfirmMessage);
        }
        var (outcome, summary) = await PersonEraser.EraseAsync(db, id, ct);
        return outcome switch
        {
            EraseOutcome.NotFound => ApiResults.NotFound("Person", id),
            EraseOutcome.AlreadyErased => ApiResults.Conflict($"Person {id} was already erased."),
            _ => TypedResults.Ok(new EraseResponse(id, $"{PersonEraser.ErasedFirstName} {PersonEraser.ErasedLastName(id)}", db.Clock.GetUtcNow(), summary!)),
        };
    }

    /// <summary>A body sent as a download (Content-Disposition: attachment), so a browser saves it rather than runs it.</summary>
    private sealed class FileDownload(string body, string contentType, string fileName) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.ContentType = contentType;
            httpContext.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            httpContext.Response.Headers["X-Content-Type-Options"] = "nosniff";
            return httpContext.Response.WriteAsync(body, httpContext.RequestAborted);
        }
    }
}
