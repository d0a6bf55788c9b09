using Shepherd.Data;

namespace Shepherd.Operations.Monitoring;

/// <summary>
/// Count, failures and latency of each distinct database command text (EF's parameterized SQL: the text names no values),
/// per minute for the last hour and as a whole per five minutes for 24 hours. At most 300 texts are kept apart per minute.
/// </summary>
public sealed class QueryMonitor(TimeProvider clock) : IDatabaseCommandObserver
{
    public const string Overall = "*";

    private const int MaxQueries = 300;

    public PeriodRing Minutes { get; } = new(61, TimeSpan.FromMinutes(1), MaxQueries);

    public PeriodRing History { get; } = new(24 * 12, TimeSpan.FromMinutes(5), 1);

    /// <summary>Held while reading <see cref="Minutes"/> and <see cref="History"/>.</summary>
    public Lock Gate { get; } = new();

    public void Executed(string commandText, TimeSpan duration, bool failed)
    {
        var ms = duration.TotalMilliseconds;
        lock (Gate)
        {
            var now = clock.GetUtcNow();
            Minutes.Cell(now, commandText).Record(ms, failed);
            Minutes.Cell(now, Overall).Record(ms, failed);
            History.Cell(now, Overall).Record(ms, failed);
        }
    }

    /// <summary>The text shown for a command: whitespace collapsed, cut at 400 characters.</summary>
    public static string Display(string commandText)
    {
        var text = string.Join(' ', commandText.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 400 ? text : text[..400] + "…";
    }
}
