using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;

namespace Shepherd.Operations.Logs;

/// <summary>
/// Compact JSON (CLEF) for both the file and stdout, formatted once per event: Serilog hands one event to its sinks one
/// after the other on the logging thread, so the second sink reuses the text the first one made instead of formatting again.
/// </summary>
public sealed class SharedJsonFormatter : ITextFormatter
{
    [ThreadStatic]
    private static LogEvent? lastEvent;

    [ThreadStatic]
    private static string? lastText;

    private readonly CompactJsonFormatter json = new();

    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        if (!ReferenceEquals(logEvent, lastEvent) || lastText is null)
        {
            using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            json.Format(logEvent, text);
            lastText = text.ToString();
            lastEvent = logEvent;
        }
        output.Write(lastText);
    }
}
