using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shepherd.Data;
using Shepherd.Operations.Alerting;
using Shepherd.Operations.Jobs;
using Shepherd.Operations.Migrations;
using Shepherd.Platform;

namespace Shepherd.Cli;

/// <summary>
/// `shepherd worker`: the background jobs (nightly backup, database maintenance) without the web server, for
/// deployments whose `serve` replicas set <c>Shepherd:Jobs:Enabled=false</c>. Stops on Ctrl-C or SIGTERM, letting a
/// running job finish. Extra `--Key=value` arguments override settings, as for `serve`.
/// </summary>
public sealed class WorkerCommand : Command
{
    public WorkerCommand() : base("worker", "Run the background jobs only (nightly backup, database maintenance), no web server. Stops on Ctrl-C or SIGTERM.")
    {
        TreatUnmatchedTokensAsErrors = false;
        SetAction((parse, cancellationToken) => RunAsync([.. parse.UnmatchedTokens], cancellationToken));
    }

    /// <summary>The worker's host: shared services, the database startup policy, then the jobs (always on here).</summary>
    public static IHost Build(string[] args, IEnumerable<KeyValuePair<string, string?>>? settings = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
                ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environments.Production,
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-dd HH:mm:ss "; })
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning)
            .AddFilter("Quartz", LogLevel.Warning)
            // A start that fails on a setting is reported in one line by RunAsync, not as a logged stack trace.
            .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Services.AddShepherdCore(builder.Configuration);
        builder.Services.AddHostedService<DatabaseStartup>();
        builder.Services.AddShepherdJobs(builder.Configuration, alwaysRun: true);
        builder.Services.AddShepherdAlertEvaluation();
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        try
        {
            using var host = Build(args);
            await host.RunAsync(cancellationToken);
            return 0;
        }
        catch (Exception e) when (e is SettingsException or CommandException or OptionsValidationException)
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
