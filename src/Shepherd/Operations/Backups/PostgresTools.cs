using System.Diagnostics;
using Npgsql;
using Shepherd.Cli;

namespace Shepherd.Operations.Backups;

/// <summary>
/// Runs PostgreSQL's client programs (pg_dump, pg_restore, psql). Connection details go in PG* environment
/// variables, never on the command line, so the password shows up neither in `ps` nor in logs.
/// </summary>
public static class PostgresTools
{
    public static string Find(string program)
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program));
        // Debian puts the versioned binaries outside PATH; prefer the newest, which reads older dumps too.
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(VersionOf).Select(dir => Path.Combine(dir, "bin", program))
            : [];
        return candidates.Concat(debian).FirstOrDefault(File.Exists)
            ?? throw new CommandException(
                $"{program} was not found on PATH or in /usr/lib/postgresql/*/bin: install the PostgreSQL client programs (Debian/Ubuntu: apt-get install postgresql-client).");
    }

    public static async Task RunAsync(string program, NpgsqlConnectionStringBuilder connection, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Start(program, connection, arguments, redirectInput: false);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        await stdout;
        var errors = (await stderr).Trim();
        if (process.ExitCode != 0)
        {
            throw new CommandException($"{program} failed (exit code {process.ExitCode}): {errors}");
        }
    }

    /// <summary>Starts a client program with its output (and optionally input) redirected; the caller reads and waits.</summary>
    public static Process Start(string program, NpgsqlConnectionStringBuilder connection, IEnumerable<string> arguments, bool redirectInput)
    {
        var start = new ProcessStartInfo(Find(program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        SetIfPresent(start, "PGHOST", connection.Host);
        SetIfPresent(start, "PGPORT", connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SetIfPresent(start, "PGUSER", connection.Username);
        SetIfPresent(start, "PGPASSWORD", connection.Password);
        SetIfPresent(start, "PGDATABASE", connection.Database);
        return Process.Start(start) ?? throw new CommandException($"Could not start {program}.");
    }

    private static void SetIfPresent(ProcessStartInfo start, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            start.Environment[name] = value;
        }
        else
        {
            start.Environment.Remove(name);
        }
    }

    private static int VersionOf(string directory) =>
        int.TryParse(Path.GetFileName(directory), out var version) ? version : 0;
}
