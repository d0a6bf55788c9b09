using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Features.Demo;

namespace Shepherd.Cli;

/// <summary>`shepherd seed-demo --members N`: fills an organization with realistic, reproducible demo data.</summary>
public sealed class SeedDemoCommand : Command
{
    public SeedDemoCommand() : base("seed-demo", "Fill an organization with realistic demo data: families, groups, badges, notes and two years of services and attendance.")
    {
        var members = new Option<int>("--members") { Description = $"How many people to create (1 to {DemoSeedOptions.MaxMembers:N0}).", Required = true };
        var organization = new Option<string>("--organization")
        {
            Description = "The organization to fill; created if it does not exist.",
            DefaultValueFactory = _ => "Demo Church",
        };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed gives the same data.", DefaultValueFactory = _ => 1 };
        var append = new Option<bool>("--append") { Description = "Add demo people to an organization that already has people." };
        var weeks = new Option<int>("--weeks") { Description = "Weeks of services and attendance, ending last Sunday.", DefaultValueFactory = _ => 104 };
        Options.Add(members);
        Options.Add(organization);
        Options.Add(seed);
        Options.Add(append);
        Options.Add(weeks);

        SetAction(async (parse, cancellationToken) =>
        {
            var options = new DemoSeedOptions(parse.GetValue(members), parse.GetValue(organization)!, parse.GetValue(seed),
                parse.GetValue(append), parse.GetValue(weeks));
            if (options.Problem() is { } problem)
            {
                await Console.Error.WriteLineAsync(problem);
                return 1;
            }
            return await CliHost.RunAsync(sp => SeedAsync(sp, options, cancellationToken));
        });
    }

    private static async Task<int> SeedAsync(IServiceProvider services, DemoSeedOptions options, CancellationToken cancellationToken)
    {
        var seeder = ActivatorUtilities.CreateInstance<DemoSeeder>(services);
        DemoSeedResult? result = null;
        await CliProgress.RunAsync(async progress => result = await seeder.SeedAsync(options, progress, cancellationToken));
        Print(result!);
        return 0;
    }

    private static void Print(DemoSeedResult result)
    {
        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine(result.OrganizationCreated
            ? $"Created organization '{result.OrganizationName}' (id {result.OrganizationId}) and filled it with demo data:"
            : $"Filled organization '{result.OrganizationName}' (id {result.OrganizationId}) with demo data:");
        foreach (var (table, count) in result.Counts)
        {
            Console.WriteLine(string.Create(culture, $"  {table,-20} {count,12:N0}"));
        }
        Console.WriteLine(string.Create(culture, $"  {"total",-20} {result.Counts.Values.Sum(),12:N0}"));
        Console.WriteLine(string.Create(culture, $"Elapsed: {result.Elapsed.TotalSeconds:F1}s"));
        if (result.DatabaseBytes is { } bytes)
        {
            Console.WriteLine(string.Create(culture, $"Database file: {bytes / 1024.0 / 1024.0:F1} MiB"));
        }
    }
}
