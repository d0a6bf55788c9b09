using System.Diagnostics.Metrics;
using Shepherd.Operations.Health;
using Shepherd.Platform.Mail;
using Shepherd.Platform.Security;

namespace Shepherd.Operations.Alerting;

/// <summary>
/// Counts, in ten-second slots for the last hour, the events the counter-based alert rules watch: failed sign-ins and
/// lockouts, rate-limited requests per policy, failed e-mails and failed job runs. It listens to the same counters
/// <c>/metrics</c> exports (this host's meters only: tests run several hosts in one process), so both evaluators count the
/// same events.
/// </summary>
public sealed class AlertEventCounters : IDisposable
{
    public const string FailedSignIns = "signins:failed";
    public const string LockedOut = "signins:locked_out";
    public const string FailedMail = "mail:failed";
    public const string FailedJobs = "jobs:failed";
    public const string RateLimitedPrefix = "rate_limited:";

    private static readonly TimeSpan Slot = TimeSpan.FromSeconds(10);
    private const int Slots = 361;

    private readonly MeterListener _listener = new();
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long[] Index, long[] Count)> _keys = new(StringComparer.Ordinal);

    public AlertEventCounters(IMeterFactory meters, TimeProvider clock)
    {
        _clock = clock;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && KeyOf(instrument.Meter.Name, instrument.Name, "") is not null)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Events of <paramref name="key"/> in the last <paramref name="window"/> (to within ten seconds).</summary>
    public long Count(string key, TimeSpan window)
    {
        lock (_gate)
        {
            return _keys.TryGetValue(key, out var ring) ? Sum(ring, window) : 0;
        }
    }

    /// <summary>The largest count of any key starting with <paramref name="prefix"/> in the window, and that key's rest (e.g. the policy).</summary>
    public (long Count, string? Which) Largest(string prefix, TimeSpan window)
    {
        lock (_gate)
        {
            (long Count, string? Which) largest = (0, null);
            foreach (var (key, ring) in _keys)
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal) && Sum(ring, window) is var count && count > largest.Count)
                {
                    largest = (count, key[prefix.Length..]);
                }
            }
            return largest;
        }
    }

    public void Dispose() => _listener.Dispose();

    private long Sum((long[] Index, long[] Count) ring, TimeSpan window)
    {
        var now = _clock.GetUtcNow().UtcTicks / Slot.Ticks;
        var first = now - (long)Math.Ceiling(window / Slot) + 1;
        long sum = 0;
        for (var i = 0; i < Slots; i++)
        {
            if (ring.Index[i] >= first && ring.Index[i] <= now)
            {
                sum += ring.Count[i];
            }
        }
        return sum;
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? outcome = null, policy = null;
        foreach (var (key, tag) in tags)
        {
            if (key == "outcome")
            {
                outcome = tag as string;
            }
            else if (key == "policy")
            {
                policy = tag as string;
            }
        }
        if (KeyOf(instrument.Meter.Name, instrument.Name, instrument.Name == SecurityMetrics.RateLimitedName ? policy ?? "unknown" : outcome ?? "") is not { } name)
        {
            return;
        }
        lock (_gate)
        {
            if (!_keys.TryGetValue(name, out var ring))
            {
                ring = _keys[name] = (Enumerable.Repeat(-1L, Slots).ToArray(), new long[Slots]);
            }
            var index = _clock.GetUtcNow().UtcTicks / Slot.Ticks;
            var slot = (int)(index % Slots);
            if (ring.Index[slot] != index)
            {
                ring.Index[slot] = index;
                ring.Count[slot] = 0;
            }
            ring.Count[slot] += value;
        }
    }

    /// <summary>The key an event is counted under, or null for events no rule watches (and, with an empty tag, whether the instrument is watched at all).</summary>
    private static string? KeyOf(string meter, string instrument, string tag) => (meter, instrument) switch
    {
        (SecurityMetrics.MeterName, SecurityMetrics.SignInsName) when tag is "" or "failed" or "locked_out" => "signins:" + (tag == "" ? "*" : tag),
        (SecurityMetrics.MeterName, SecurityMetrics.RateLimitedName) => RateLimitedPrefix + tag,
        (MailMetrics.MeterName, MailMetrics.MessagesName) when tag is "" or "failed" => "mail:" + (tag == "" ? "*" : tag),
        (JobRunLog.MeterName, "shepherd.jobs.runs") when tag is "" or "failed" => "jobs:" + (tag == "" ? "*" : tag),
        _ => null,
    };
}
