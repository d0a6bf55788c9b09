using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Serilog.Events;
using Serilog.Parsing;
using Shepherd.Operations.Logs;
using Shouldly;

namespace Shepherd.Tests.Logs;

/// <summary>The stdout sink: JSON lines held in a buffer, out at once for warnings, by the timer otherwise, and at disposal.</summary>
public sealed class BufferedJsonSinkTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly MemoryStream _stdout = new();

    [Fact]
    public void Information_lines_wait_for_the_flush_interval_and_then_are_written_as_json()
    {
        using var sink = new BufferedJsonSink(_stdout, TimeSpan.FromSeconds(1), _clock);
        sink.Emit(Event(LogEventLevel.Information, "request one"));
        sink.Emit(Event(LogEventLevel.Information, "request two"));
        Lines().ShouldBeEmpty();

        _clock.Advance(TimeSpan.FromSeconds(1));

        var lines = Lines();
        lines.Count.ShouldBe(2);
        lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("@mt").GetString()).ShouldBe(["request one", "request two"]);
    }

    [Fact]
    public void A_warning_is_written_at_once_with_everything_before_it()
    {
        using var sink = new BufferedJsonSink(_stdout, TimeSpan.FromSeconds(1), _clock);
        sink.Emit(Event(LogEventLevel.Information, "before"));
        sink.Emit(Event(LogEventLevel.Warning, "disk almost full"));

        Lines().Count.ShouldBe(2);
    }

    [Fact]
    public void Disposal_writes_what_is_left_and_later_events_are_dropped_without_failing()
    {
        var sink = new BufferedJsonSink(_stdout, TimeSpan.FromMinutes(1), _clock);
        sink.Emit(Event(LogEventLevel.Information, "last words"));

        sink.Dispose();
        sink.Emit(Event(LogEventLevel.Error, "after the end"));

        Lines().ShouldHaveSingleItem().ShouldContain("last words");
        _stdout.CanWrite.ShouldBeTrue("stdout itself is left open");
    }

    private List<string> Lines() =>
        [.. Encoding.UTF8.GetString(_stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    private static LogEvent Event(LogEventLevel level, string text) =>
        new(DateTimeOffset.UnixEpoch, level, null, new MessageTemplateParser().Parse(text), []);
}
