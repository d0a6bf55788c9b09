using System.Diagnostics.Metrics;

namespace Shepherd.Operations.Monitoring;

/// <summary>
/// Request rate, errors and latency per route, computed in process from ASP.NET Core's own instrument
/// (<c>http.server.request.duration</c>, the one Prometheus scrapes) through a <see cref="MeterListener"/>: one-minute
/// periods for the last hour, per route, and five-minute periods of the whole for the last 24 hours.
/// </summary>
public sealed class RequestMonitor : IDisposable
{
    public const string HostingMeter = "Microsoft.AspNetCore.Hosting";
    public const string DurationInstrument = "http.server.request.duration";
    public const string Overall = "*";
    public const string Unmatched = "(no route)";

    /// <summary>Routes kept apart per minute; more than the API has, so only a flood of odd methods ends up in "(other)".</summary>
    private const int MaxRoutes = 200;

    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly MeterListener _listener = new();

    public RequestMonitor(IMeterFactory meters, TimeProvider clock)
    {
        _clock = clock;
        Started = clock.GetUtcNow();
        // Only this host's meter: tests run several hosts in one process, each with its own meter factory.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == HostingMeter && instrument.Name == DurationInstrument && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnDuration);
        _listener.Start();
    }

    public DateTimeOffset Started { get; }

    public PeriodRing Minutes { get; } = new(61, TimeSpan.FromMinutes(1), MaxRoutes);

    public PeriodRing History { get; } = new(24 * 12, TimeSpan.FromMinutes(5), 1);

    /// <summary>Ten-second periods of the whole for the last six minutes: the short windows of the alert rules.</summary>
    public PeriodRing Recent { get; } = new(37, TimeSpan.FromSeconds(10), 1);

    /// <summary>Held while reading <see cref="Minutes"/> and <see cref="History"/>.</summary>
    public Lock Gate => _gate;

    public void Record(string route, double milliseconds, int status)
    {
        var error = status >= 500;
        var clientError = status is >= 400 and < 500;
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            Minutes.Cell(now, route).Record(milliseconds, error, clientError);
            Minutes.Cell(now, Overall).Record(milliseconds, error, clientError);
            History.Cell(now, Overall).Record(milliseconds, error, clientError);
            Recent.Cell(now, Overall).Record(milliseconds, error, clientError);
        }
    }

    /// <summary>
    /// All requests of the last <paramref name="window"/> (to within one period of the ring that fits it: ten seconds up to six
    /// minutes, a minute up to an hour, five minutes beyond), for the alert rules.
    /// </summary>
    public StatsCell Window(TimeSpan window)
    {
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            var ring = window <= TimeSpan.FromMinutes(6) ? Recent : window <= TimeSpan.FromMinutes(60) ? Minutes : History;
            return ring.Sum(ring.IndexOf(now - window) + 1, ring.IndexOf(now)).GetValueOrDefault(Overall) ?? new StatsCell();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnDuration(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? method = null, route = null;
        var status = 0;
        foreach (var (key, value) in tags)
        {
            switch (key)
            {
                case "http.request.method":
                    method = value as string;
                    break;
                case "http.route":
                    route = value as string;
                    break;
                case "http.response.status_code":
                    status = value is int code ? code : 0;
                    break;
            }
        }
        Record($"{method ?? "_OTHER"} {route ?? Unmatched}", seconds * 1000, status);
    }
}
