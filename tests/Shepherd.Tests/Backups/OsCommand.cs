using System.Diagnostics;
using Shepherd.Tests.Cli;

namespace Shepherd.Tests.Backups;

/// <summary>
/// Runs an operating-system program (PostgreSQL's binaries, the deploy/postgres scripts) with a time limit.
/// PostgreSQL refuses to run as root, so <see cref="AsServerUserAsync"/> runs it as the postgres user the
/// Debian package creates when the tests run as root, and directly otherwise, like scripts/test does.
/// </summary>
public static class OsCommand
{
    public static bool IsRoot => Environment.UserName == "root";

    public static Task<ProcessResult> AsServerUserAsync(string program, params string[] args) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", program, .. args]) : RunAsync(program, args);

    public static async Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> args, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            // The postgres user cannot enter root's home, the test host's usual working directory.
            WorkingDirectory = "/tmp",
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within {limit}.\n{await stdout}\n{await stderr}");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
