using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Shepherd.Tests.Infrastructure;

/// <summary>
/// The running total of one counter of one app (its own meter factory: other in-process apps share meter names), counting
/// only measurements whose tags include every given tag.
/// </summary>
public sealed class CounterReading : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _value;

    public CounterReading(IServiceProvider services, string meterName, string instrumentName, params (string Key, string Value)[] tags)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && instrument.Name == instrumentName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, measured, _) =>
        {
            foreach (var (key, expected) in tags)
            {
                var found = false;
                foreach (var tag in measured)
                {
                    found |= tag.Key == key && (string?)tag.Value == expected;
                }
                if (!found)
                {
                    return;
                }
            }
            Interlocked.Add(ref _value, value);
        });
        _listener.Start();
    }

    public long Value => Interlocked.Read(ref _value);

    public void Dispose() => _listener.Dispose();
}
