using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Shepherd.Data;

namespace Shepherd.Operations.Health;

/// <summary>"disk": free space of the drive holding the data folder (database file, backups, logs).</summary>
public sealed class DiskHealthCheck(DataFolder folder, IOptions<HealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        Directory.CreateDirectory(folder.Path);
        var drive = new DriveInfo(Path.GetFullPath(folder.Path));
        var freePercent = drive.TotalSize == 0 ? 0 : 100.0 * drive.AvailableFreeSpace / drive.TotalSize;
        var data = new Dictionary<string, object>
        {
            ["path"] = folder.Path,
            ["freeBytes"] = drive.AvailableFreeSpace,
            ["totalBytes"] = drive.TotalSize,
            ["freePercent"] = Math.Round(freePercent, 1),
            ["degradedBelowFreePercent"] = o.DiskDegradedFreePercent,
            ["unhealthyBelowFreePercent"] = o.DiskUnhealthyFreePercent,
        };
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{freePercent:F1} % free ({drive.AvailableFreeSpace / (1024 * 1024)} MiB of {drive.TotalSize / (1024 * 1024)} MiB) on the drive of {folder.Path}");
        return Task.FromResult(
            freePercent < o.DiskUnhealthyFreePercent ? HealthCheckResult.Unhealthy($"{text}: free space now (old backups, logs) before the database cannot grow.", data: data)
            : freePercent < o.DiskDegradedFreePercent ? HealthCheckResult.Degraded($"{text}: running low.", data: data)
            : HealthCheckResult.Healthy($"{text}.", data));
    }
}

/// <summary>"memory": the process's working set against its memory limit (cgroup limit of the container, else physical memory).</summary>
public sealed class MemoryHealthCheck(IOptions<HealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        var (limit, source) = MemoryLimit();
        var used = Environment.WorkingSet;
        var percent = limit <= 0 ? 0 : 100.0 * used / limit;
        var data = new Dictionary<string, object>
        {
            ["workingSetBytes"] = used,
            ["limitBytes"] = limit,
            ["limitSource"] = source,
            ["usedPercent"] = Math.Round(percent, 1),
            ["degradedAbovePercent"] = o.MemoryDegradedPercent,
            ["unhealthyAbovePercent"] = o.MemoryUnhealthyPercent,
        };
        var text = string.Create(CultureInfo.InvariantCulture, $"Working set {used / (1024 * 1024)} MiB is {percent:F1} % of the limit {limit / (1024 * 1024)} MiB ({source})");
        return Task.FromResult(
            percent > o.MemoryUnhealthyPercent ? HealthCheckResult.Unhealthy($"{text}: the process is close to being killed for lack of memory.", data: data)
            : percent > o.MemoryDegradedPercent ? HealthCheckResult.Degraded($"{text}.", data: data)
            : HealthCheckResult.Healthy($"{text}.", data));
    }

    /// <summary>cgroup v2 memory.max, cgroup v1 memory.limit_in_bytes, else the memory the GC sees as available.</summary>
    public static (long Bytes, string Source) MemoryLimit()
    {
        var physical = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        foreach (var file in new[] { "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes" })
        {
            try
            {
                if (File.Exists(file)
                    && long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
                    && bytes > 0 && bytes < physical)
                {
                    return (bytes, file);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Unreadable: try the next source.
            }
        }
        return (physical, "total available memory");
    }
}

/// <summary>"thread-pool": work items waiting and how long a new one waits before it starts (starvation shows here first).</summary>
public sealed class ThreadPoolHealthCheck(IOptions<HealthOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        var pending = ThreadPool.PendingWorkItemCount;
        var started = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queuedAt = Stopwatch.GetTimestamp();
        ThreadPool.UnsafeQueueUserWorkItem(s => s.TrySetResult(Stopwatch.GetTimestamp()), started, preferLocal: false);
        double latencyMs;
        try
        {
            // Bounded: a starved pool answers Unhealthy after ten times the threshold instead of hanging the probe.
            var at = await started.Task.WaitAsync(TimeSpan.FromMilliseconds(o.ThreadPoolDegradedMs * 10.0), cancellationToken);
            latencyMs = Stopwatch.GetElapsedTime(queuedAt, at).TotalMilliseconds;
        }
        catch (TimeoutException)
        {
            latencyMs = double.PositiveInfinity;
        }
        var data = new Dictionary<string, object>
        {
            ["pendingWorkItems"] = pending,
            ["threads"] = ThreadPool.ThreadCount,
            ["queueLatencyMs"] = double.IsInfinity(latencyMs) ? -1 : Math.Round(latencyMs, 2),
            ["degradedAboveMs"] = o.ThreadPoolDegradedMs,
            ["degradedAbovePending"] = o.ThreadPoolDegradedPending,
        };
        if (double.IsInfinity(latencyMs))
        {
            return HealthCheckResult.Unhealthy(string.Create(CultureInfo.InvariantCulture,
                $"A queued work item did not start within {o.ThreadPoolDegradedMs * 10} ms ({pending} waiting): the thread pool is starved."), data: data);
        }
        var text = string.Create(CultureInfo.InvariantCulture, $"{pending} work items waiting, a new one started after {latencyMs:F1} ms on {ThreadPool.ThreadCount} threads");
        return latencyMs > o.ThreadPoolDegradedMs || pending > o.ThreadPoolDegradedPending
            ? HealthCheckResult.Degraded($"{text}: requests are queueing (blocking calls or too much load).", data: data)
            : HealthCheckResult.Healthy($"{text}.", data);
    }
}
