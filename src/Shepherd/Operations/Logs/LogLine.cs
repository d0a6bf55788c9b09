using System.Globalization;
using System.Text.Json;

namespace Shepherd.Operations.Logs;

/// <summary>One CLEF line, reduced to what the analysis needs. A request line has a status code and a duration.</summary>
public sealed record LogLine(
    DateTimeOffset Timestamp,
    string Level,
    string? Template,
    string? ExceptionType,
    string? TraceId,
    string? Method,
    string? Endpoint,
    int? StatusCode,
    double? ElapsedMilliseconds,
    string? EventName,
    string? ClientIp)
{
    public bool IsRequest => StatusCode is not null && ElapsedMilliseconds is not null;

    public bool IsError => Level is "Error" or "Fatal";

    /// <summary>Parses one line; null when it is not a JSON object with a valid <c>@t</c> (counted as malformed).</summary>
    public static LogLine? Parse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("@t", out var t) || t.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp))
            {
                return null;
            }
            var route = String(root, LogFields.Route) ?? String(root, LogFields.RequestPath);
            return new LogLine(
                timestamp.ToUniversalTime(),
                String(root, "@l") ?? "Information",
                String(root, "@mt"),
                ExceptionTypeOf(String(root, "@x")),
                String(root, "@tr"),
                String(root, LogFields.RequestMethod),
                route,
                Number(root, LogFields.StatusCode) is { } status ? (int)status : null,
                Number(root, LogFields.Elapsed),
                EventNameOf(root),
                String(root, LogFields.ClientIp));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The first line of a .NET exception's text is "Namespace.TypeName: message" or "Namespace.TypeName (0x80004005): message".</summary>
    private static string? ExceptionTypeOf(string? exception)
    {
        if (string.IsNullOrEmpty(exception))
        {
            return null;
        }
        var firstLine = exception.AsSpan();
        var end = firstLine.IndexOfAny('\r', '\n');
        if (end >= 0)
        {
            firstLine = firstLine[..end];
        }
        var typeEnd = firstLine.IndexOfAny(':', ' ');
        return (typeEnd >= 0 ? firstLine[..typeEnd] : firstLine).Trim().ToString();
    }

    /// <summary>Microsoft.Extensions.Logging events arrive as <c>"EventId": {"Id": 1, "Name": "SignInFailed"}</c>.</summary>
    private static string? EventNameOf(JsonElement root) =>
        root.TryGetProperty(LogFields.EventId, out var id) && id.ValueKind == JsonValueKind.Object ? String(id, "Name") : null;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
