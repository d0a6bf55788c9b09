using System.Diagnostics;
using System.Text;

namespace Shepherd.Tests.Cli;

/// <summary>What a finished `shepherd` process printed and returned.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the real `shepherd` executable (built next to the tests) as a child process, the way an operator would.
/// Output is redirected, so progress comes as plain lines rather than bars.
/// </summary>
public static class ShepherdProcess
{
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "shepherd.dll");

    public static async Task<ProcessResult> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        await RunAsync(environment, TimeSpan.FromMinutes(3), args);

    public static async Task<ProcessResult> RunAsync(IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, params string[] args)
    {
        await using var running = Start(environment, args);
        return await running.WaitAsync(timeout);
    }

    /// <summary>Starts `shepherd` and returns at once; the output can be watched while it runs.</summary>
    public static RunningShepherd Start(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        new(StartInfo(environment, args), string.Join(' ', args));

    /// <summary>How to start `dotnet shepherd.dll args` with only the test's settings (also used by <see cref="ServeProcess"/>).</summary>
    public static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string?> environment, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Executable);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // Only the test's settings reach the child: nothing inherited may point it at another database.
        foreach (var inherited in start.Environment.Keys.Where(k =>
            k.StartsWith("Shepherd__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(inherited);
        }
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        return start;
    }
}

/// <summary>A `shepherd` child process whose output is collected line by line as it comes.</summary>
public sealed class RunningShepherd : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _command;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly object _gate = new();

    internal RunningShepherd(ProcessStartInfo start, string command)
    {
        _command = command;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        if (!_process.Start())
        {
            throw new InvalidOperationException($"Could not start shepherd {command}.");
        }
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Everything printed so far, both streams.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString() + _stderr;
            }
        }
    }

    /// <summary>Waits until the output contains <paramref name="text"/> (polling, bounded).</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"shepherd {_command} exited before printing '{text}':\n{Output}");
            }
            try
            {
                await Task.Delay(50, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"shepherd {_command} did not print '{text}' within {timeout}:\n{Output}");
            }
        }
    }

    public async Task<ProcessResult> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"shepherd {_command} did not finish within {timeout}.\n{Output}");
        }
        _process.WaitForExit(); // drains the asynchronous output readers
        lock (_gate)
        {
            return new ProcessResult(_process.ExitCode, _stdout.ToString(), _stderr.ToString());
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            builder.AppendLine(line);
        }
    }
}
