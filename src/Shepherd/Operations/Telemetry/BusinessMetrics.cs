using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Audit;

namespace Shepherd.Operations.Telemetry;

/// <summary>
/// The meter "Shepherd.Business": how much the instance holds, across all organizations and as counts only (no names,
/// no organization label): people, families and check-ins today (attendance checked in since midnight UTC). The counts
/// are read from the database at most once per <see cref="TelemetryOptions.BusinessRefresh"/>, so a scrape every
/// few seconds costs three COUNT queries a minute, not three per scrape.
/// </summary>
public sealed class BusinessMetrics
{
    public const string MeterName = "Shepherd.Business";

    private readonly ShepherdDbContextFactory _contexts;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _refresh;
    private readonly Lock _gate = new();
    private Snapshot? _current;

    public BusinessMetrics(IMeterFactory meters, ShepherdDbContextFactory contexts, TimeProvider clock, TelemetryOptions options)
    {
        _contexts = contexts;
        _clock = clock;
        _refresh = options.BusinessRefresh;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("shepherd.people", () => Current().People, description: "People stored, across all organizations.");
        meter.CreateObservableGauge("shepherd.families", () => Current().Families, description: "Families stored, across all organizations.");
        meter.CreateObservableGauge("shepherd.checkins.today", () => Current().CheckInsToday,
            description: "Attendance records checked in since midnight UTC, across all organizations.");
    }

    /// <summary>The cached counts, read again when older than the refresh interval. Gauge callbacks are synchronous.</summary>
    internal Snapshot Current()
    {
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            if (_current is null || now - _current.At >= _refresh)
            {
                _current = Read(now);
            }
            return _current;
        }
    }

    private Snapshot Read(DateTimeOffset now)
    {
        var midnight = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        using var db = _contexts.Create(null, AuditActor.System);
        return new Snapshot(
            now,
            db.People.IgnoreQueryFilters().LongCount(),
            db.Families.IgnoreQueryFilters().LongCount(),
            db.Attendance.IgnoreQueryFilters().LongCount(a => a.CheckedInAt >= midnight));
    }

    internal sealed record Snapshot(DateTimeOffset At, long People, long Families, long CheckInsToday);
}
