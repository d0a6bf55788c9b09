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
        using var process = Process.Start(StartInfo(environment, args)) ?? throw new InvalidOperationException($"Could not start dotnet {Executable}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"shepherd {string.Join(' ', args)} did not finish within {timeout}.\n{await stdout}\n{await stderr}");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

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
