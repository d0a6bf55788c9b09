using System.Diagnostics;
using Spectre.Console;

namespace Shepherd.Cli;

/// <summary>One step of a long command, advanced as work completes.</summary>
public interface IProgressStep
{
    void Advance(long amount = 1);
}

/// <summary>
/// Progress for long commands: Spectre.Console bars on a terminal, plain lines (every 10 %) when output
/// goes to a file or a CI log, so logs stay readable.
/// </summary>
public abstract class CliProgress
{
    public static bool IsInteractive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public abstract IProgressStep Step(string description, long total);

    /// <summary>No output: for the same work done by a background job or an HTTP request.</summary>
    public static readonly CliProgress Silent = new Quiet();

    /// <summary>Runs <paramref name="work"/> with progress and returns its result.</summary>
    public static async Task<T> RunAsync<T>(Func<CliProgress, Task<T>> work)
    {
        T result = default!;
        await RunAsync(async progress => { result = await work(progress); });
        return result;
    }

    private sealed class Quiet : CliProgress
    {
        public override IProgressStep Step(string description, long total) => Nothing.Instance;

        private sealed class Nothing : IProgressStep
        {
            public static readonly Nothing Instance = new();

            public void Advance(long amount = 1)
            {
            }
        }
    }

    public static async Task RunAsync(Func<CliProgress, Task> work)
    {
        if (IsInteractive)
        {
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(ctx => work(new Bars(ctx)));
        }
        else
        {
            await work(new Lines());
        }
    }

    private sealed class Bars(ProgressContext context) : CliProgress
    {
        public override IProgressStep Step(string description, long total) =>
            new Bar(context.AddTask(description, maxValue: Math.Max(1, total)));

        private sealed class Bar(ProgressTask task) : IProgressStep
        {
            public void Advance(long amount = 1) => task.Increment(amount);
        }
    }

    private sealed class Lines : CliProgress
    {
        public override IProgressStep Step(string description, long total) => new Line(description, Math.Max(1, total));

        private sealed class Line : IProgressStep
        {
            private readonly string _description;
            private readonly long _total;
            private readonly Stopwatch _clock = Stopwatch.StartNew();
            private long _done;
            private int _lastTenth = -1;

            public Line(string description, long total)
            {
                _description = description;
                _total = total;
                Report();
            }

            public void Advance(long amount = 1)
            {
                _done = Math.Min(_total, _done + amount);
                Report();
            }

            private void Report()
            {
                var tenth = (int)(_done * 10 / _total);
                if (tenth == _lastTenth)
                {
                    return;
                }
                _lastTenth = tenth;
                Console.WriteLine($"{_description}: {tenth * 10}% ({_done}/{_total}) {_clock.Elapsed.TotalSeconds:F1}s");
            }
        }
    }
}
