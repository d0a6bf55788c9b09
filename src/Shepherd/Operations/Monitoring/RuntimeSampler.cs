using System.Diagnostics;
using Shepherd.Operations.Health;

namespace Shepherd.Operations.Monitoring;

/// <summary>
/// Samples the process every ten seconds: CPU use since the last sample, working set against the memory limit, GC heap and
/// pauses, thread pool. Keeps the latest sample and, for trends, one summary per five minutes for the last 24 hours.
/// </summary>
public sealed class RuntimeSampler(TimeProvider clock) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(5);
    private const int Periods = 24 * 12;

    private readonly Lock _gate = new();
    private readonly RuntimeTrend?[] _trend = new RuntimeTrend?[Periods];
    private (DateTimeOffset At, TimeSpan Cpu) _previous = (clock.GetUtcNow(), Process.GetCurrentProcess().TotalProcessorTime);
    private RuntimeSample? _latest;

    /// <summary>The latest sample, or one taken now when none is yet.</summary>
    public RuntimeSample Latest()
    {
        lock (_gate)
        {
            return _latest ?? TakeLocked();
        }
    }

    /// <summary>Five-minute summaries, oldest first, of the last 24 hours (periods when the process was down are missing).</summary>
    public IReadOnlyList<RuntimeTrend> Trend()
    {
        lock (_gate)
        {
            var oldest = clock.GetUtcNow() - TimeSpan.FromHours(24);
            return [.. _trend.OfType<RuntimeTrend>().Where(t => t.At > oldest).OrderBy(t => t.At)];
        }
    }

    public RuntimeSample Sample()
    {
        lock (_gate)
        {
            return TakeLocked();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Sample();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private RuntimeSample TakeLocked()
    {
        var now = clock.GetUtcNow();
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = now - _previous.At;
        var cpuPercent = wall > TimeSpan.FromMilliseconds(100)
            ? 100 * (cpu - _previous.Cpu).TotalMilliseconds / (wall.TotalMilliseconds * Environment.ProcessorCount)
            : _latest?.CpuPercent ?? 0;
        _previous = (now, cpu);
        var gc = GC.GetGCMemoryInfo();
        var (limit, limitSource) = MemoryHealthCheck.MemoryLimit();
        ThreadPool.GetMaxThreads(out var maxWorkers, out _);
        ThreadPool.GetMinThreads(out var minWorkers, out _);
        var sample = new RuntimeSample(
            now,
            Math.Round(Math.Clamp(cpuPercent, 0, 100), 1),
            Environment.ProcessorCount,
            process.WorkingSet64,
            process.PrivateMemorySize64,
            limit,
            limitSource,
            gc.HeapSizeBytes,
            GC.GetTotalAllocatedBytes(),
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2),
            Math.Round(GC.GetTotalPauseDuration().TotalMilliseconds, 1),
            Math.Round(gc.PauseTimePercentage, 2),
            ThreadPool.ThreadCount,
            minWorkers,
            maxWorkers,
            ThreadPool.PendingWorkItemCount,
            ThreadPool.CompletedWorkItemCount,
            process.Threads.Count);
        _latest = sample;
        Summarize(sample);
        return sample;
    }

    private void Summarize(RuntimeSample sample)
    {
        var index = sample.At.UtcTicks / Period.Ticks;
        var slot = (int)(index % Periods);
        var start = new DateTimeOffset(index * Period.Ticks, TimeSpan.Zero);
        var trend = _trend[slot];
        _trend[slot] = trend is null || trend.At != start
            ? new RuntimeTrend(start, 1, sample.CpuPercent, sample.CpuPercent, sample.WorkingSetBytes, sample.GcHeapBytes, sample.ThreadPoolPending)
            : trend with
            {
                Samples = trend.Samples + 1,
                CpuPercentMean = Math.Round(((trend.CpuPercentMean * trend.Samples) + sample.CpuPercent) / (trend.Samples + 1), 1),
                CpuPercentMax = Math.Max(trend.CpuPercentMax, sample.CpuPercent),
                WorkingSetBytesMax = Math.Max(trend.WorkingSetBytesMax, sample.WorkingSetBytes),
                GcHeapBytesMax = Math.Max(trend.GcHeapBytesMax, sample.GcHeapBytes),
                ThreadPoolPendingMax = Math.Max(trend.ThreadPoolPendingMax, sample.ThreadPoolPending),
            };
    }
}

public sealed record RuntimeSample(
    DateTimeOffset At,
    double CpuPercent,
    int Processors,
    long WorkingSetBytes,
    long PrivateBytes,
    long MemoryLimitBytes,
    string MemoryLimitSource,
    long GcHeapBytes,
    long AllocatedBytes,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    double GcPauseTotalMs,
    double GcPauseTimePercent,
    int ThreadPoolThreads,
    int ThreadPoolMinThreads,
    int ThreadPoolMaxThreads,
    long ThreadPoolPending,
    long ThreadPoolCompleted,
    int ProcessThreads);

/// <summary>One five-minute period: CPU mean and peak, and the peaks of memory, GC heap and thread-pool queue.</summary>
public sealed record RuntimeTrend(
    DateTimeOffset At,
    int Samples,
    double CpuPercentMean,
    double CpuPercentMax,
    long WorkingSetBytesMax,
    long GcHeapBytesMax,
    long ThreadPoolPendingMax);
