using System.Globalization;
using System.Net;
using System.Text.Json;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Audit;

/// <summary>
/// The organization's audit log for administrators: GET /api/v1/audit (filtered, paged, newest first) and
/// GET /api/v1/audit/export?format=csv|json (the same filters, streamed). Entries are never changed through the API.
/// </summary>
public static class AuditApi
{
    public sealed record AuditEntryResponse(
        long Id, DateTimeOffset At, long? ActorUserId, string Actor, AuditAction Action, string EntityType, string EntityId,
        JsonElement? Changes, string? IpAddress);

    /// <summary>The filters, as text so a bad value gets a 400 naming the field rather than the binder's message.</summary>
    public sealed record AuditQuery
    {
        /// <summary>One or more actions, comma-separated or repeated: created, updated, deleted, signedIn, signInFailed, ...</summary>
        public string[]? Action { get; init; }

        public string? EntityType { get; init; }

        public string? EntityId { get; init; }

        public string? ActorUserId { get; init; }

        /// <summary>ISO 8601 time, inclusive.</summary>
        public string? From { get; init; }

        /// <summary>ISO 8601 time, exclusive.</summary>
        public string? To { get; init; }

        public string? Ip { get; init; }
    }

    public static void MapAuditApi(this IEndpointRouteBuilder api)
    {
        var audit = api.MapGroup("/audit").WithTags("Audit");
        audit.MapGet("/", ListAsync).RequirePermission(Permission.AuditRead);
        audit.MapGet("/export", ExportAsync).RequirePermission(Permission.AuditRead);
    }

    private static async Task<Results<Ok<Page<AuditEntryResponse>>, ValidationProblem>> ListAsync(
        [AsParameters] PageRequest page, [AsParameters] AuditQuery query, ShepherdDbContext db, CancellationToken ct)
    {
        if (Filter(db, query, out var filtered) is { } invalid)
        {
            return invalid;
        }
        var total = await filtered.CountAsync(ct);
        var rows = await filtered.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip(page.Skip).Take(page.Size).ToListAsync(ct);
        return TypedResults.Ok(new Page<AuditEntryResponse>([.. rows.Select(Response)], page.Number, page.Size, total));
    }

    private static async Task<IResult> ExportAsync(
        [AsParameters] AuditQuery query, string? format, ShepherdDbContext db, HttpContext http, CancellationToken ct)
    {
        format = (format ?? "csv").Trim().ToLowerInvariant();
        if (format is not ("csv" or "json"))
        {
            return ApiResults.Invalid("format", "Use format=csv or format=json.");
        }
        if (Filter(db, query, out var filtered) is { } invalid)
        {
            return invalid;
        }
        // The export is itself an audited event; recorded before the first byte goes out.
        AuditLog.Add(db, AuditAction.Exported, "AuditLog", "export", new { format, filters = query });
        await db.SaveChangesAsync(ct);

        var rows = filtered.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).AsAsyncEnumerable();
        var stamp = db.Clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{stamp}.{format}\"";
        http.Response.ContentType = format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
        // The writers may write synchronously into their target; the response's pipe takes that into memory it flushes
        // asynchronously, where the response stream itself refuses synchronous I/O.
        await using var body = http.Response.BodyWriter.AsStream(leaveOpen: true);
        if (format == "csv")
        {
            await WriteCsvAsync(rows, body, ct);
        }
        else
        {
            await WriteJsonAsync(rows, body, ct);
        }
        return TypedResults.Empty;
    }

    /// <summary>
    /// One row at a time from the database to the response: the log is never held in memory whole. A text starting with
    /// = + - @ is escaped so a spreadsheet shows it rather than running it as a formula.
    /// </summary>
    private static async Task WriteCsvAsync(IAsyncEnumerable<AuditEntry> rows, Stream body, CancellationToken ct)
    {
        var options = new CsvWriterOptions { Injection = CsvInjection.Escape };
        await using var csv = CsvWriter.Create(body, options, leaveOpen: true);
        csv.WriteHeader(["id", "at", "actorUserId", "actor", "action", "entityType", "entityId", "changes", "ipAddress"]);
        await foreach (var e in rows.WithCancellation(ct))
        {
            csv.WriteField(e.Id.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(e.At.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            csv.WriteField(e.ActorUserId?.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(e.Actor);
            csv.WriteField(JsonNamingPolicy.CamelCase.ConvertName(e.Action.ToString()));
            csv.WriteField(e.EntityType);
            csv.WriteField(e.EntityId);
            csv.WriteField(e.Changes);
            csv.WriteField(e.IpAddress);
            await csv.EndRecordAsync(ct);
        }
        await csv.FlushAsync(ct);
    }

    private static async Task WriteJsonAsync(IAsyncEnumerable<AuditEntry> rows, Stream body, CancellationToken ct)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        await using var json = new Utf8JsonWriter(body);
        json.WriteStartArray();
        var written = 0;
        await foreach (var e in rows.WithCancellation(ct))
        {
            JsonSerializer.Serialize(json, Response(e), options);
            if (++written % 500 == 0)
            {
                await json.FlushAsync(ct);
            }
        }
        json.WriteEndArray();
        await json.FlushAsync(ct);
    }

    internal static AuditEntryResponse Response(AuditEntry e) => new(
        e.Id, e.At, e.ActorUserId, e.Actor, e.Action, e.EntityType, e.EntityId,
        e.Changes is null ? null : ParseChanges(e.Changes), e.IpAddress);

    private static JsonElement? ParseChanges(string changes)
    {
        try
        {
            using var document = JsonDocument.Parse(changes);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(changes);
        }
    }

    /// <summary>The tenant filter scopes every query to the caller's organization; these narrow it further.</summary>
    internal static ValidationProblem? Filter(ShepherdDbContext db, AuditQuery query, out IQueryable<AuditEntry> filtered)
    {
        filtered = db.AuditEntries.AsNoTracking();
        var errors = new Dictionary<string, string[]>();
        var actions = new List<AuditAction>();
        foreach (var text in (query.Action ?? []).SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (QueryEnums.TryParse<AuditAction>(text, out var action))
            {
                actions.Add(action);
            }
            else
            {
                errors["action"] = [$"Unknown action '{text}'. Use one of: {QueryEnums.Names<AuditAction>()}."];
            }
        }
        if (actions.Count > 0)
        {
            filtered = filtered.Where(e => actions.Contains(e.Action));
        }
        if (query.EntityType is { } entityType)
        {
            if (entityType.Length is 0 or > 64 || !entityType.All(char.IsAsciiLetterOrDigit))
            {
                errors["entityType"] = ["entityType is a record type such as Person or Group: 1 to 64 letters and digits."];
            }
            filtered = filtered.Where(e => e.EntityType == entityType);
        }
        if (query.EntityId is { } entityId)
        {
            if (entityId.Length is 0 or > 64)
            {
                errors["entityId"] = ["entityId must be 1 to 64 characters."];
            }
            filtered = filtered.Where(e => e.EntityId == entityId);
        }
        if (query.ActorUserId is { } actorText)
        {
            if (!long.TryParse(actorText, NumberStyles.None, CultureInfo.InvariantCulture, out var actorUserId) || actorUserId <= 0)
            {
                errors["actorUserId"] = ["actorUserId must be a user id (a positive whole number)."];
            }
            filtered = filtered.Where(e => e.ActorUserId == actorUserId);
        }
        var from = Time(query.From, "from", errors);
        var to = Time(query.To, "to", errors);
        if (from is { } f)
        {
            filtered = filtered.Where(e => e.At >= f);
        }
        if (to is { } t)
        {
            filtered = filtered.Where(e => e.At < t);
        }
        if (from > to)
        {
            errors["from"] = ["from must not be after to."];
        }
        if (query.Ip is { } ipText)
        {
            if (!IPAddress.TryParse(ipText, out var ip))
            {
                errors["ip"] = ["ip must be an IPv4 or IPv6 address, e.g. 203.0.113.7."];
            }
            else
            {
                var normalized = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4().ToString() : ip.ToString();
                filtered = filtered.Where(e => e.IpAddress == normalized);
            }
        }
        return errors.Count == 0 ? null : ApiResults.Invalid(errors);
    }

    private static DateTimeOffset? Time(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }
        errors[field] = [$"{field} must be an ISO 8601 time, e.g. 2026-03-01T00:00:00Z."];
        return null;
    }
}
