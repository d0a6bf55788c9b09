using Microsoft.Extensions.DependencyInjection;
using Shepherd.Operations.Backups;

namespace Shepherd.Cli;

/// <summary>The body of `shepherd backup prune [--dry-run]`: one line per backup with its decision, then a summary.</summary>
public static class BackupPruneCommand
{
    public static async Task<int> RunAsync(IServiceProvider services, bool dryRun, CancellationToken cancellationToken)
    {
        var folder = services.GetRequiredService<BackupFolder>();
        var plan = await services.GetRequiredService<BackupPruner>().PlanAsync(cancellationToken);
        if (plan.Count == 0)
        {
            Console.WriteLine($"No backups in {folder.Path}: nothing to prune.");
            return 0;
        }
        Console.WriteLine($"{(dryRun ? "Dry run, nothing is deleted. " : "")}Backups in {folder.Path}:");
        foreach (var decision in plan)
        {
            Console.WriteLine($"  {(decision.Keep ? "keep" : "delete"),-6}  {Path.GetFileName(decision.File),-52} {decision.Reason}");
            if (!decision.Keep && !dryRun)
            {
                BackupPruner.Delete(decision);
            }
        }
        var deleted = plan.Where(d => !d.Keep).ToList();
        var freed = deleted.Sum(d => d.Size) / 1024.0 / 1024;
        Console.WriteLine(dryRun
            ? $"Would keep {plan.Count - deleted.Count}, delete {deleted.Count}, free {freed:F1} MiB (dry run: nothing was deleted)."
            : $"Kept {plan.Count - deleted.Count}, deleted {deleted.Count}, freed {freed:F1} MiB.");
        var unreadable = plan.Count(d => d.Unreadable);
        if (unreadable > 0)
        {
            Console.WriteLine($"{unreadable} unreadable file(s) were left in place: check them with `shepherd backup list` and delete them by hand.");
        }
        return 0;
    }
}
