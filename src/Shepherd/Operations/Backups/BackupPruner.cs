namespace Shepherd.Operations.Backups;

public sealed record PruneDecision(string File, long Size, bool Keep, string Reason, bool Unreadable);

/// <summary>`backup prune`: applies <see cref="BackupRetentionPolicy"/> to the backup folder and deletes what it lets go.</summary>
public sealed class BackupPruner(BackupCatalog catalog, BackupRetentionPolicy policy)
{
    /// <summary>The decision for every file in the backup folder, newest first; nothing is changed.</summary>
    public async Task<IReadOnlyList<PruneDecision>> PlanAsync(CancellationToken cancellationToken)
    {
        var entries = await catalog.ListAsync(cancellationToken);
        var sizes = entries.ToDictionary(e => e.File, e => e.Size, StringComparer.Ordinal);
        var candidates = entries.Select(e => new RetentionCandidate(e.File, e.Manifest?.CreatedAt, e.Verification is { Passed: true })).ToList();
        return policy.Decide(candidates)
            .Select(d => new PruneDecision(d.Backup.File, sizes[d.Backup.File], d.Keep, d.Reason, d.Backup.CreatedAt is null))
            .OrderByDescending(d => d.File, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Deletes a backup the plan let go, with its verification record.</summary>
    public static void Delete(PruneDecision decision)
    {
        if (decision.Keep)
        {
            throw new InvalidOperationException($"{decision.File} is to be kept ({decision.Reason}).");
        }
        File.Delete(decision.File);
        File.Delete(BackupFolder.VerificationFile(decision.File));
    }
}
