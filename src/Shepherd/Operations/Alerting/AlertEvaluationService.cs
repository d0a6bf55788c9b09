using Microsoft.Extensions.Options;

namespace Shepherd.Operations.Alerting;

/// <summary>
/// Runs the built-in evaluator every <see cref="AlertingOptions.EvaluationInterval"/> in <c>serve</c> and <c>worker</c>
/// (the lease makes one replica do it), unless <c>Shepherd:Alerting:Enabled</c> is false. A failed evaluation is logged
/// and the next one tries again; at shutdown the lease is given up so another replica takes over at once.
/// </summary>
public sealed partial class AlertEvaluationService(
    AlertEvaluator evaluator,
    AlertEventCounters counters,
    IOptions<AlertingOptions> options,
    TimeProvider clock,
    ILogger<AlertEvaluationService> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // A bad setting stops the start with its name, whether or not the evaluator runs.
        options.Value.Validate();
        _ = counters;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (options.Value.Enabled)
        {
            try
            {
                await evaluator.ReleaseLeaseAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReleaseFailed(logger, e.GetType().Name, e.Message);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.EvaluationInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await evaluator.TickAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 7120, Level = LogLevel.Error, Message = "Alert evaluation failed; the next one tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7121, Level = LogLevel.Warning, Message = "Could not give up the alert evaluator lease at shutdown ({Error}: {Message}); another replica takes over when it expires")]
    private static partial void LogReleaseFailed(ILogger logger, string error, string message);
}
