using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Operations.Alerting;

namespace Shepherd.Cli;

/// <summary>`shepherd config render prometheus-rules`: Shepherd's configuration written out for other tools.</summary>
public sealed class ConfigCommand : Command
{
    public ConfigCommand() : base("config", "Write Shepherd's configuration out for other tools.")
    {
        var output = new Option<string>("--output") { Description = "Write to this file instead of standard output." };
        var rules = new Command("prometheus-rules",
            "The alert rule catalogue as a Prometheus rule file (alert_rules.yml); thresholds and the availability objective from Shepherd:Alerting.")
        {
            output,
        };
        rules.SetAction((parse, ct) => CliHost.RunAsync(
            sp => RenderRulesAsync(sp, parse.GetValue(output), ct),
            ensureSchema: false));
        var render = new Command("render", "Render a file for another tool from Shepherd's settings.");
        render.Subcommands.Add(rules);
        Subcommands.Add(render);
    }

    private static async Task<int> RenderRulesAsync(IServiceProvider services, string? output, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IConfiguration>().GetSection(AlertingOptions.Section).Get<AlertingOptions>() ?? new AlertingOptions();
        var catalogue = AlertRuleCatalogue.Create(options);
        var yaml = PrometheusRules.Render(catalogue, options.RunbookBaseUrl);
        if (output is null)
        {
            await Console.Out.WriteAsync(yaml);
        }
        else
        {
            await File.WriteAllTextAsync(output, yaml, cancellationToken);
            await Console.Error.WriteLineAsync($"Wrote {catalogue.Count} alert rules to {Path.GetFullPath(output)}.");
        }
        return 0;
    }
}
