using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Serilog.Core;
using Serilog.Events;
using Shepherd.Operations.Logs;

namespace Shepherd.Operations.Monitoring;

/// <summary>
/// Groups the exceptions logged at Error or Fatal (unhandled request errors, failed jobs) by fingerprint: the exception's
/// type and the top three frames of Shepherd's own code (type and method, no line numbers, so a group survives an
/// unrelated edit). Each group counts occurrences and keeps first and last seen, the last message and a sample request
/// and trace id. A Serilog sink, so it sees what the logs see; at most 200 groups, the one seen longest ago giving way.
/// </summary>
public sealed class ErrorGroups(TimeProvider clock, int maxGroups = 200) : ILogEventSink
{
    private const int FramesKept = 3;
    private const string OurNamespace = "Shepherd";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ErrorGroup> _groups = new(StringComparer.Ordinal);

    // An exception logged twice on its way up (by a handler, then by the framework) counts once.
    private readonly ConditionalWeakTable<Exception, object> _counted = new();

    public void Emit(LogEvent logEvent)
    {
        if (logEvent.Exception is not { } exception || logEvent.Level < LogEventLevel.Error || !_counted.TryAdd(exception, this))
        {
            return;
        }
        var type = exception.GetType().FullName ?? exception.GetType().Name;
        var frames = OurFrames(exception);
        var fingerprint = Fingerprint(type, frames);
        var requestId = logEvent.Properties.TryGetValue(LogFields.RequestId, out var id) && id is ScalarValue { Value: { } value }
            ? value.ToString() : null;
        var traceId = logEvent.TraceId?.ToHexString();
        var message = exception.Message.Length <= 300 ? exception.Message : exception.Message[..300] + "…";
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (_groups.TryGetValue(fingerprint, out var group))
            {
                _groups[fingerprint] = group with
                {
                    Count = group.Count + 1,
                    LastSeen = now,
                    LastMessage = message,
                    SampleRequestId = requestId ?? group.SampleRequestId,
                    SampleTraceId = traceId ?? group.SampleTraceId,
                };
                return;
            }
            if (_groups.Count >= maxGroups)
            {
                _groups.Remove(_groups.Values.MinBy(g => g.LastSeen)!.Fingerprint);
            }
            _groups[fingerprint] = new ErrorGroup(fingerprint, type, frames, 1, now, now, message, requestId, traceId);
        }
    }

    /// <summary>Every group, most recently seen first.</summary>
    public IReadOnlyList<ErrorGroup> All()
    {
        lock (_gate)
        {
            return [.. _groups.Values.OrderByDescending(g => g.LastSeen).ThenByDescending(g => g.Count)];
        }
    }

    public static string Fingerprint(string type, IEnumerable<string> frames) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(type + "\n" + string.Join('\n', frames))))[..16];

    /// <summary>The top frames of our own code, innermost first, as "Type.Method" with compiler-made names undone.</summary>
    public static IReadOnlyList<string> OurFrames(Exception exception) =>
        [.. new StackTrace(exception, fNeedFileInfo: false).GetFrames()
            .Select(f => f.GetMethod())
            .OfType<MethodBase>()
            .Where(m => m.DeclaringType?.Namespace?.StartsWith(OurNamespace, StringComparison.Ordinal) == true)
            .Select(Describe)
            .Distinct()
            .Take(FramesKept)];

    /// <summary>"PeopleApi.CreateAsync" for the async state machine "PeopleApi+&lt;CreateAsync&gt;d__3.MoveNext" and for lambdas inside it.</summary>
    private static string Describe(MethodBase method)
    {
        var type = method.DeclaringType!;
        var name = method.Name;
        // Compiler-generated types (state machines, closures) are nested in the type that wrote the code.
        while (type.DeclaringType is { } outer && type.Name.StartsWith('<'))
        {
            if (name is "MoveNext" && Inside(type.Name) is { Length: > 0 } stateMachineOf)
            {
                name = stateMachineOf;
            }
            type = outer;
        }
        if (Inside(name) is { Length: > 0 } lambdaOf)
        {
            name = lambdaOf;
        }
        return $"{type.Name}.{name}";
    }

    /// <summary>The text between the first '&lt;' and '&gt;' of a compiler-made name ("&lt;CreateAsync&gt;d__3" → "CreateAsync"), else null.</summary>
    private static string? Inside(string name)
    {
        var open = name.IndexOf('<', StringComparison.Ordinal);
        var close = name.IndexOf('>', StringComparison.Ordinal);
        return open == 0 && close > 1 ? name[1..close].TrimStart('<') : null;
    }
}

public sealed record ErrorGroup(
    string Fingerprint,
    string Type,
    IReadOnlyList<string> Frames,
    long Count,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    string LastMessage,
    string? SampleRequestId,
    string? SampleTraceId);
