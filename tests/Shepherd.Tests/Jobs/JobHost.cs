using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;
using Shepherd.Cli;
using Shepherd.Operations.Health;
using Shepherd.Tests.Cli;

namespace Shepherd.Tests.Jobs;

/// <summary>
/// The `shepherd worker` host (same builder) over a test database, started, with its Quartz scheduler at hand.
/// The nightly triggers are off so only the test fires jobs; health checks are added to read them.
/// </summary>
public sealed class JobHost : IAsyncDisposable
{
    private JobHost(IHost host, IScheduler scheduler)
    {
        Host = host;
        Scheduler = scheduler;
    }

    public IHost Host { get; }

    public IScheduler Scheduler { get; }

    public IServiceProvider Services => Host.Services;

    public static IHost Build(CliDatabase db, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>(db.Settings)
        {
            ["Shepherd:Backups:Schedule:Enabled"] = "false",
            ["Shepherd:Maintenance:Enabled"] = "false",
            ["Shepherd:Retention:Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        return WorkerCommand.Build([], all, s =>
        {
            s.AddShepherdHealthChecks();
            services?.Invoke(s);
        });
    }

    public static async Task<JobHost> StartAsync(CliDatabase db, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var host = Build(db, settings, services);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await host.StartAsync(timeout.Token);
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(timeout.Token);
        return new JobHost(host, scheduler);
    }

    /// <summary>Fires a job through the scheduler now and waits (bounded) until it has run; returns what it set as its result.</summary>
    public async Task<T> RunAsync<T>(JobKey job, TimeSpan? timeout = null)
    {
        var listener = new JobDone(job);
        Scheduler.ListenerManager.AddJobListener(listener, [Matchers.Key(job)]);
        try
        {
            await Scheduler.TriggerJob(job);
            var context = await listener.Done.Task.WaitAsync(timeout ?? TimeSpan.FromMinutes(2));
            return (T)context.Result!;
        }
        finally
        {
            Scheduler.ListenerManager.RemoveJobListener(listener.Name);
        }
    }

    /// <summary>A PostgreSQL test database keeps its data folder (backups) after it is dropped; this removes it.</summary>
    public static void DeleteDataFolder(CliDatabase db)
    {
        if (db.Settings["Shepherd:DataFolder"] is { } folder && Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await Host.StopAsync(timeout.Token);
        Host.Dispose();
    }

    private sealed class JobDone(JobKey job) : IJobListener
    {
        public TaskCompletionSource<IJobExecutionContext> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name { get; } = $"test-{job}-{Guid.NewGuid():N}";

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            Done.TrySetException(new InvalidOperationException($"{job} was vetoed."));
            return ValueTask.CompletedTask;
        }

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            if (jobException is not null)
            {
                Done.TrySetException(jobException);
            }
            else
            {
                Done.TrySetResult(context);
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask JobProgressChanged(IJobExecutionContext context, Quartz.Extensibility.FireInstanceProgress progress, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
