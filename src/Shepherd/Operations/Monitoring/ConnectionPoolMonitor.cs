using System.Diagnostics.Metrics;
using Npgsql;
using Shepherd.Data;

namespace Shepherd.Operations.Monitoring;

/// <summary>
/// PostgreSQL's connection pool as Npgsql reports it on its meter ("Npgsql": connections idle and in use, the pool's
/// maximum, requests waiting for a connection), read on demand for this process's database only. SQLite connections are
/// cheap file handles without a pool worth watching, so for SQLite there is nothing to read.
/// </summary>
public sealed class ConnectionPoolMonitor : IDisposable
{
    private const string NpgsqlMeter = "Npgsql";

    private readonly NpgsqlConnectionStringBuilder? _ours;
    private readonly MeterListener? _listener;
    private readonly Lock _gate = new();
    private ConnectionPool _reading = new(0, 0, 0, 0);

    public ConnectionPoolMonitor(DatabaseTarget target)
    {
        if (target.Provider != DatabaseProvider.Postgres)
        {
            return;
        }
        _ours = new NpgsqlConnectionStringBuilder(target.ConnectionString);
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == NpgsqlMeter && instrument.Name.StartsWith("db.client.connection.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => OnMeasurement(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => OnMeasurement(i, v, tags));
        _listener.Start();
    }

    /// <summary>The pool now, or null for SQLite.</summary>
    public ConnectionPool? Read()
    {
        if (_listener is null)
        {
            return null;
        }
        lock (_gate)
        {
            _reading = new ConnectionPool(0, 0, 0, 0);
            _listener.RecordObservableInstruments();
            return _reading;
        }
    }

    public void Dispose() => _listener?.Dispose();

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? pool = null, state = null;
        foreach (var (key, tag) in tags)
        {
            if (key == "db.client.connection.pool.name")
            {
                pool = tag as string;
            }
            else if (key == "db.client.connection.state")
            {
                state = tag as string;
            }
        }
        if (!IsOurs(pool))
        {
            return;
        }
        _reading = instrument.Name switch
        {
            "db.client.connection.count" when state == "idle" => _reading with { Idle = _reading.Idle + value },
            "db.client.connection.count" when state == "used" => _reading with { Busy = _reading.Busy + value },
            "db.client.connection.max" => _reading with { Max = _reading.Max + value },
            "db.client.connection.npgsql.pending_requests" => _reading with { Waiting = _reading.Waiting + value },
            _ => _reading,
        };
    }

    /// <summary>Pools are named by their connection string without the password; ours has our host, port, database and user.</summary>
    private bool IsOurs(string? pool)
    {
        if (pool is null || _ours is null)
        {
            return false;
        }
        try
        {
            var theirs = new NpgsqlConnectionStringBuilder(pool);
            return theirs.Host == _ours.Host && theirs.Port == _ours.Port && theirs.Database == _ours.Database && theirs.Username == _ours.Username;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>Connections idle and in use, the pool's maximum and requests waiting for a connection.</summary>
public sealed record ConnectionPool(long Idle, long Busy, long Max, long Waiting);
