using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Shepherd.Features.Privacy;

/// <summary>
/// The export as one self-contained HTML document a person can read: no scripts, no external resources, every value
/// HTML-encoded. Rendered from the same JSON as the JSON export, so both always hold the same data.
/// </summary>
internal static class PersonExportHtml
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    public static string Render(PersonExport export, JsonSerializerOptions options)
    {
        var json = JsonSerializer.SerializeToElement(export, options);
        var html = new StringBuilder();
        var name = $"{export.Person.FirstName} {export.Person.LastName}";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<title>").Append(Encode($"Personal data of {name}")).Append("</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}")
            .Append("table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}")
            .Append("th{background:#f3f3f3}h2{margin-top:2rem;border-bottom:1px solid #ccc}.empty{color:#777}</style></head><body>\n")
            .Append("<h1>").Append(Encode($"Personal data of {name}")).Append("</h1>\n")
            .Append("<p>").Append(Encode($"Everything {export.OrganizationName} holds about this person, exported {export.ExportedAt.ToString("u", CultureInfo.InvariantCulture)}."))
            .Append("</p>\n");
        foreach (var section in json.EnumerateObject())
        {
            if (section.Name is "exportedAt" or "organizationName")
            {
                continue;
            }
            html.Append("<h2>").Append(Encode(Title(section.Name))).Append("</h2>\n");
            Value(html, section.Value);
        }
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void Value(StringBuilder html, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                html.Append("<table>");
                foreach (var property in value.EnumerateObject())
                {
                    html.Append("<tr><th>").Append(Encode(Title(property.Name))).Append("</th><td>");
                    Value(html, property.Value);
                    html.Append("</td></tr>");
                }
                html.Append("</table>\n");
                break;
            case JsonValueKind.Array when value.GetArrayLength() == 0:
                html.Append("<p class=\"empty\">None.</p>\n");
                break;
            case JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Object):
                var columns = value.EnumerateArray().SelectMany(v => v.EnumerateObject().Select(p => p.Name)).Distinct().ToList();
                html.Append("<table><tr>");
                foreach (var column in columns)
                {
                    html.Append("<th>").Append(Encode(Title(column))).Append("</th>");
                }
                html.Append("</tr>");
                foreach (var row in value.EnumerateArray())
                {
                    html.Append("<tr>");
                    foreach (var column in columns)
                    {
                        html.Append("<td>");
                        if (row.TryGetProperty(column, out var cell))
                        {
                            Value(html, cell);
                        }
                        html.Append("</td>");
                    }
                    html.Append("</tr>");
                }
                html.Append("</table>\n");
                break;
            case JsonValueKind.Array:
                html.Append(Encode(string.Join(", ", value.EnumerateArray().Select(Text))));
                break;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                html.Append("<span class=\"empty\">—</span>");
                break;
            default:
                html.Append(Encode(Text(value)));
                break;
        }
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Null => "",
        _ => value.GetRawText(),
    };

    /// <summary>"auditLog" → "Audit log".</summary>
    private static string Title(string camel)
    {
        var words = new StringBuilder();
        foreach (var c in camel)
        {
            if (char.IsUpper(c) && words.Length > 0)
            {
                words.Append(' ').Append(char.ToLowerInvariant(c));
            }
            else
            {
                words.Append(words.Length == 0 ? char.ToUpperInvariant(c) : c);
            }
        }
        return words.ToString();
    }

    private static string Encode(string text) => Encoder.Encode(text);
}
