namespace Shepherd.Operations.Health;

/// <summary>
/// <c>Shepherd:Health</c>: the thresholds of the checks behind <c>/api/monitoring/health</c>. Each check writes the
/// thresholds it used into its answer, so an operator sees the limit next to the measured value.
/// </summary>
public sealed class HealthOptions
{
    public const string Section = "Shepherd:Health";

    /// <summary>"database": Degraded when the slower of the two probe queries takes longer (ms).</summary>
    public int DatabaseDegradedMs { get; set; } = 500;

    /// <summary>"disk": Degraded when the data folder's drive has less free space (percent of its size).</summary>
    public double DiskDegradedFreePercent { get; set; } = 10;

    /// <summary>"disk": Unhealthy below this free space (percent).</summary>
    public double DiskUnhealthyFreePercent { get; set; } = 5;

    /// <summary>"memory": Degraded when the working set uses more of the memory limit (percent).</summary>
    public double MemoryDegradedPercent { get; set; } = 80;

    /// <summary>"memory": Unhealthy above this share of the memory limit (percent).</summary>
    public double MemoryUnhealthyPercent { get; set; } = 90;

    /// <summary>"thread-pool": Degraded when a queued work item waits longer than this to start (ms).</summary>
    public int ThreadPoolDegradedMs { get; set; } = 500;

    /// <summary>"thread-pool": Degraded when more work items than this are waiting.</summary>
    public long ThreadPoolDegradedPending { get; set; } = 1000;

    /// <summary>"jobs": Degraded when a daily job has not run for a day plus this many hours.</summary>
    public int JobsOverdueHours { get; set; } = 24;
}
