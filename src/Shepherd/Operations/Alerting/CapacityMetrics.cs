using System.Diagnostics.Metrics;
using Shepherd.Data;
using Shepherd.Operations.Health;

namespace Shepherd.Operations.Alerting;

/// <summary>
/// The meter "Shepherd.Capacity": what the memory and disk alert rules divide by, measured as the "memory" and "disk"
/// health checks measure it. In Prometheus: <c>shepherd_memory_limit_bytes</c> (the container's cgroup limit, else the
/// memory the GC sees as available), <c>shepherd_disk_available_bytes</c> and <c>shepherd_disk_size_bytes</c> (the drive
/// of the data folder).
/// </summary>
public sealed class CapacityMetrics
{
    public const string MeterName = "Shepherd.Capacity";

    public CapacityMetrics(IMeterFactory meters, DataFolder folder)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("shepherd.memory.limit", () => MemoryHealthCheck.MemoryLimit().Bytes,
            unit: "By", description: "The memory this process may use: its container's limit, else the memory available to it.");
        meter.CreateObservableGauge("shepherd.disk.available", () => Optional(folder, d => d.AvailableFreeSpace),
            unit: "By", description: "Free space this process may use on the drive of the data folder.");
        meter.CreateObservableGauge("shepherd.disk.size", () => Optional(folder, d => d.TotalSize),
            unit: "By", description: "Size of the drive of the data folder.");
    }

    /// <summary>Nothing (rather than a made-up zero) while the drive cannot be read.</summary>
    private static IEnumerable<Measurement<long>> Optional(DataFolder folder, Func<DriveInfo, long> read)
    {
        long value;
        try
        {
            value = read(new DriveInfo(Path.GetFullPath(folder.Path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return [];
        }
        return [new Measurement<long>(value)];
    }
}
