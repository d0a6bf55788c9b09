using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shepherd.Data;
using Shepherd.Operations.Migrations;
using Shepherd.Platform;

namespace Shepherd.Cli;

/// <summary>
/// The services a shell command needs (configuration, database, accounts) without the web server.
/// Settings come from the same places as for `serve`: appsettings.json, then environment variables.
/// </summary>
public static class CliHost
{
    public static IHost Build()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
                ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environments.Production,
        });
        builder.Logging.ClearProviders();
        // A shell command reports through its own output; framework chatter (EF's failed-command logs) stays out of it.
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None);
        builder.Services.AddShepherdCore(builder.Configuration);
        return builder.Build();
    }

    /// <summary>Runs a command body, turning the failures an operator can fix into one clear line and exit code 1.</summary>
    /// <param name="ensureSchema">Apply the startup migration policy first (SQLite migrates itself; PostgreSQL with pending migrations refuses).</param>
    public static async Task<int> RunAsync(Func<IServiceProvider, Task<int>> body, bool ensureSchema = true)
    {
        try
        {
            using var host = Build();
            if (ensureSchema)
            {
                await host.Services.GetRequiredService<SchemaMigrator>().EnsureReadyAtStartupAsync(CancellationToken.None);
            }
            await using var scope = host.Services.CreateAsyncScope();
            return await body(scope.ServiceProvider);
        }
        catch (Exception e) when (e is SettingsException or CommandException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"Failed: {e.GetBaseException().Message}");
            await Console.Error.WriteLineAsync("Check the database settings (Shepherd__Database__Provider, ConnectionStrings__Shepherd) and that the data folder is writable.");
            return 1;
        }
    }
}

/// <summary>A command could not do what was asked; the message says why and what to do instead.</summary>
public sealed class CommandException(string message) : Exception(message);
