using System.CommandLine;
using Shepherd.Data;
using Shepherd.Platform;

namespace Shepherd.Cli;

/// <summary>`shepherd serve`: web UI, API and background jobs. Extra `--Key=value` arguments override settings.</summary>
public sealed class ServeCommand : Command
{
    public ServeCommand() : base("serve", "Run the web application and API (the default). Listens on http://localhost:5000 unless --urls says otherwise.")
    {
        TreatUnmatchedTokensAsErrors = false;
        SetAction((parse, cancellationToken) => RunAsync([.. parse.UnmatchedTokens], cancellationToken));
    }

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        try
        {
            var app = ShepherdWebApp.Build(args);
            await app.RunAsync(cancellationToken);
            return 0;
        }
        catch (Exception e) when (e is SettingsException or CommandException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }
}
