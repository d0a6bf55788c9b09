using System.Data.Common;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Shepherd.Data;

/// <summary>
/// The meter "Shepherd.Database": how long each database command took, as the histogram shepherd.db.command.duration
/// (seconds), tagged only with the kind of command (select, insert, update, delete, other) so the series stay few.
/// Failed commands count too: a slow timeout is exactly what the histogram is for. Each command is also handed to the
/// <see cref="IDatabaseCommandObserver"/> when one is registered, with its text (never its parameter values).
/// </summary>
public sealed class DatabaseCommandMetrics : DbCommandInterceptor
{
    public const string MeterName = "Shepherd.Database";
    public const string KindTag = "db.command.kind";

    private readonly Histogram<double> _duration;
    private readonly IDatabaseCommandObserver? _observer;

    public DatabaseCommandMetrics(IMeterFactory meters, IDatabaseCommandObserver? observer = null)
    {
        _observer = observer;
        var meter = meters.Create(MeterName);
        _duration = meter.CreateHistogram<double>("shepherd.db.command.duration", unit: "s",
            description: "Duration of database commands, by kind (select, insert, update, delete, other).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Record(command, eventData.Duration);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Record(command, eventData.Duration);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Record(command, eventData.Duration);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Record(command, eventData.Duration, failed: true);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Record(command, eventData.Duration, failed: true);
        return Task.CompletedTask;
    }

    private void Record(DbCommand command, TimeSpan duration, bool failed = false)
    {
        _observer?.Executed(command.CommandText, duration, failed);
        if (_duration.Enabled)
        {
            _duration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>(KindTag, KindOf(command.CommandText)));
        }
    }

    /// <summary>The first SQL keyword, skipping whitespace and "--" comment lines (EF's TagWith); a batch counts as its first statement.</summary>
    public static string KindOf(string? sql)
    {
        var text = (sql ?? "").AsSpan();
        while (true)
        {
            text = text.TrimStart();
            if (!text.StartsWith("--", StringComparison.Ordinal))
            {
                break;
            }
            var end = text.IndexOf('\n');
            text = end < 0 ? [] : text[(end + 1)..];
        }
        return text switch
        {
            _ when Starts(text, "SELECT") || Starts(text, "WITH") => "select",
            _ when Starts(text, "INSERT") => "insert",
            _ when Starts(text, "UPDATE") => "update",
            _ when Starts(text, "DELETE") => "delete",
            _ => "other",
        };
    }

    private static bool Starts(ReadOnlySpan<char> text, string keyword) =>
        text.StartsWith(keyword, StringComparison.OrdinalIgnoreCase)
        && (text.Length == keyword.Length || !char.IsLetterOrDigit(text[keyword.Length]));
}
