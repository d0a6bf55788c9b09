using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Data.Services;

namespace Shepherd.Operations.Telemetry;

/// <summary>
/// The meter "Shepherd.Business": how much the instance holds, across all organizations and as counts only (no names,
/// no organization label): people, families and check-ins today (attendance checked in since midnight UTC, by kind of
/// service). The counts
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
        meter.CreateObservableGauge("shepherd.checkins.today", CheckInsToday,
            description: "Attendance records checked in since midnight UTC, across all organizations, by kind of service (worship, kids, ...).");
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

    /// <summary>One measurement per kind of service, zeros included, so a kind that had check-ins drops to 0 rather than vanishing.</summary>
    private IEnumerable<Measurement<long>> CheckInsToday()
    {
        var byKind = Current().CheckInsByKind;
        return Enum.GetValues<ServiceKind>().Select(kind => new Measurement<long>(
            byKind.GetValueOrDefault(kind), new KeyValuePair<string, object?>("service.kind", JsonNamingPolicy.CamelCase.ConvertName(kind.ToString()))));
    }

    private Snapshot Read(DateTimeOffset now)
    {
        var midnight = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        using var db = _contexts.Create(null, AuditActor.System);
        var byKind = db.Attendance.IgnoreQueryFilters()
            .Where(a => a.CheckedInAt >= midnight)
            .GroupBy(a => a.Service!.Kind)
            .Select(g => new { Kind = g.Key, Count = g.LongCount() })
            .ToDictionary(g => g.Kind, g => g.Count);
        return new Snapshot(
            now,
            db.People.IgnoreQueryFilters().LongCount(),
            db.Families.IgnoreQueryFilters().LongCount(),
            byKind);
    }

    internal sealed record Snapshot(DateTimeOffset At, long People, long Families, IReadOnlyDictionary<ServiceKind, long> CheckInsByKind)
    {
        public long CheckInsToday => CheckInsByKind.Values.Sum();
    }
}
