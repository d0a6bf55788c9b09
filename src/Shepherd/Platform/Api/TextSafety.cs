using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shepherd.Platform.Api;

/// <summary>
/// Text that no database column can hold: NUL characters (PostgreSQL refuses them) and broken UTF-16 surrogate
/// pairs (not encodable as UTF-8). Refused at the edge as a 400, so they never reach the database as a 500.
/// </summary>
public static class TextSafety
{
    public static bool IsStorable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return false;
            }
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>Reads every JSON string through <see cref="TextSafety"/>; a bad one fails at its field's path.</summary>
public sealed class StorableStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("Expected a string.");
        }
        var text = reader.GetString()!;
        return TextSafety.IsStorable(text) ? text : throw new JsonException("Text may not contain NUL characters or broken Unicode.");
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>The same rule for query strings, before any endpoint binds them.</summary>
public sealed class StorableQueryText(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var bad = context.Request.Query.FirstOrDefault(q => q.Value.Any(v => v is not null && !TextSafety.IsStorable(v)));
        if (bad.Key is null)
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                [bad.Key] = ["Text may not contain NUL characters or broken Unicode."],
            })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "One or more fields are invalid",
            },
        });
    }
}
