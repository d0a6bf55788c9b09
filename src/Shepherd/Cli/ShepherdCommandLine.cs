using System.CommandLine;

namespace Shepherd.Cli;

/// <summary>The command tree. With no command (or only options) Shepherd serves, as `shepherd serve` would.</summary>
public static class ShepherdCommandLine
{
    public static async Task<int> InvokeAsync(string[] args)
    {
        var serve = new ServeCommand();
        var root = new RootCommand("Shepherd: church management with operations built in. With no command, runs `serve`.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        root.Subcommands.Add(serve);
        root.Subcommands.Add(new WorkerCommand());
        root.Subcommands.Add(new MigrateCommand());
        root.Subcommands.Add(new AdminCommand());
        root.Subcommands.Add(new SeedDemoCommand());
        root.Subcommands.Add(new BackupCommand());
        root.Subcommands.Add(new LogsCommand());
        root.Subcommands.Add(new ConfigCommand());
        root.SetAction(async (parse, cancellationToken) =>
        {
            // Unknown words are most likely a mistyped command: say so instead of starting a server.
            var unknown = parse.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith('-'));
            if (unknown is not null && parse.UnmatchedTokens[0] == unknown)
            {
                await Console.Error.WriteLineAsync($"Unknown command '{unknown}'. Run `shepherd --help` to see the commands.");
                return 2;
            }
            return await serve.RunAsync([.. parse.UnmatchedTokens], cancellationToken);
        });
        return await root.Parse(args).InvokeAsync();
    }
}
