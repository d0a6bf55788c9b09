using Microsoft.Extensions.Time.Testing;
using Serilog.Events;
using Serilog.Parsing;
using Shepherd.Operations.Monitoring;
using Shouldly;

namespace Shepherd.Tests.Monitoring;

/// <summary>Exceptions grouped by type and the top frames of our code.</summary>
public sealed class ErrorGroupsTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_same_failure_thrown_again_joins_its_group_with_count_and_last_seen()
    {
        var groups = new ErrorGroups(_clock);
        groups.Emit(Event(Catch(() => FailingCode.Load(1)), "req-1"));
        _clock.Advance(TimeSpan.FromMinutes(5));
        groups.Emit(Event(Catch(() => FailingCode.Load(2)), "req-2"));

        var group = groups.All().ShouldHaveSingleItem();
        group.Count.ShouldBe(2);
        group.Type.ShouldBe(typeof(InvalidOperationException).FullName);
        group.FirstSeen.ShouldBe(_clock.GetUtcNow() - TimeSpan.FromMinutes(5));
        group.LastSeen.ShouldBe(_clock.GetUtcNow());
        group.SampleRequestId.ShouldBe("req-2");
        group.LastMessage.ShouldBe("Record 2 is missing.");
        group.Frames[0].ShouldBe("FailingCode.Load");
        group.Frames[1].ShouldBe("ErrorGroupsTests.The_same_failure_thrown_again_joins_its_group_with_count_and_last_seen");
    }

    [Fact]
    public void Another_place_or_another_type_is_another_group()
    {
        var groups = new ErrorGroups(_clock);
        groups.Emit(Event(Catch(() => FailingCode.Load(1)), null));
        groups.Emit(Event(Catch(() => FailingCode.Save()), null));
        groups.Emit(Event(Catch(() => FailingCode.Parse("x")), null));

        groups.All().Select(g => g.Fingerprint).Distinct().Count().ShouldBe(3);
    }

    [Fact]
    public async Task Async_methods_are_named_as_written_not_as_the_compiler_renamed_them()
    {
        var groups = new ErrorGroups(_clock);
        var exception = await Should.ThrowAsync<TimeoutException>(() => FailingCode.FetchAsync());

        groups.Emit(Event(exception, null));

        groups.All().ShouldHaveSingleItem().Frames[0].ShouldBe("FailingCode.FetchAsync");
    }

    [Fact]
    public void An_exception_logged_twice_counts_once_and_warnings_do_not_count()
    {
        var groups = new ErrorGroups(_clock);
        var exception = Catch(() => FailingCode.Save());
        groups.Emit(Event(exception, null));
        groups.Emit(Event(exception, null));
        groups.Emit(Event(Catch(() => FailingCode.Load(3)), null, LogEventLevel.Warning));

        groups.All().ShouldHaveSingleItem().Count.ShouldBe(1);
    }

    [Fact]
    public void When_the_group_limit_is_reached_the_group_seen_longest_ago_gives_way()
    {
        var groups = new ErrorGroups(_clock, maxGroups: 2);
        groups.Emit(Event(Catch(() => FailingCode.Load(1)), null));
        _clock.Advance(TimeSpan.FromSeconds(1));
        groups.Emit(Event(Catch(() => FailingCode.Save()), null));
        _clock.Advance(TimeSpan.FromSeconds(1));
        groups.Emit(Event(Catch(() => FailingCode.Load(2)), null));
        _clock.Advance(TimeSpan.FromSeconds(1));

        groups.Emit(Event(Catch(() => FailingCode.Parse("x")), null));

        groups.All().Select(g => g.Frames[0]).ShouldBe(["FailingCode.Parse", "FailingCode.Load"]);
    }

    private static Exception Catch(Action action) => Should.Throw<Exception>(action);

    private static LogEvent Event(Exception exception, string? requestId, LogEventLevel level = LogEventLevel.Error)
    {
        var properties = new List<LogEventProperty>();
        if (requestId is not null)
        {
            properties.Add(new LogEventProperty("RequestId", new ScalarValue(requestId)));
        }
        return new LogEvent(DateTimeOffset.UnixEpoch, level, exception, new MessageTemplateParser().Parse("failed"), properties);
    }

    private static class FailingCode
    {
        public static void Load(int id) => throw new InvalidOperationException($"Record {id} is missing.");

        public static void Save() => throw new InvalidOperationException("Could not save.");

        public static void Parse(string text) => throw new FormatException($"'{text}' is not a number.");

        public static async Task FetchAsync()
        {
            await Task.Yield();
            throw new TimeoutException("The server did not answer.");
        }
    }
}
