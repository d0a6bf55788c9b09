using Microsoft.Extensions.Options;

namespace Shepherd.Operations.Backups;

/// <summary>What one run of the nightly backup did. <see cref="Error"/> is set when the backup itself failed.</summary>
public sealed record BackupRun(
    DateTimeOffset StartedAt,
    string? File,
    long Size,
    TimeSpan Duration,
    BackupVerification? Verification,
    string? CopiedTo,
    string? CopyError,
    int Pruned,
    string? PruneError,
    string? Error)
{
    public bool Succeeded => Error is null && Verification is not { Passed: false };
}

/// <summary>The latest backup results, as the health check and the meters read them.</summary>
public sealed record BackupState(
    DateTimeOffset? LastSuccessAt,
    string? LastSuccessFile,
    long? LastSize,
    TimeSpan? LastDuration,
    bool? LastVerifyPassed,
    string? LastVerifyDetail,
    BackupRun? LastRun)
{
    public static readonly BackupState Unknown = new(null, null, null, null, null, null, null);
}

/// <summary>
/// The latest backup results in this process: seeded from the backup folder at start (so the age is right after a
/// restart), then updated by every run of <see cref="ScheduledBackupJob"/>.
/// </summary>
public sealed class BackupStatus(BackupCatalog catalog, IOptions<BackupScheduleOptions> options)
{
    private BackupState _current = BackupState.Unknown;

    public BackupState Current => Volatile.Read(ref _current);

    /// <summary>
    /// Reads the folder: the last success is the newest readable backup that passed verification (or, with
    /// VerifyAfterCreate off, the newest one not known to be broken); the last verify result is the latest verification.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var entries = await catalog.ListAsync(cancellationToken);
        var success = entries.FirstOrDefault(e => e.Manifest is not null && (e.Verification?.Passed ?? !options.Value.VerifyAfterCreate));
        var verified = entries.Where(e => e.Verification is not null).MaxBy(e => e.Verification!.VerifiedAt);
        var previous = Current;
        Volatile.Write(ref _current, new BackupState(
            success?.Manifest!.CreatedAt,
            success?.File,
            success?.Size,
            previous.LastDuration,
            verified?.Verification!.Passed,
            verified is null ? null : Failures(verified.Verification!),
            previous.LastRun));
    }

    public void Record(BackupRun run)
    {
        var previous = Current;
        var verify = run.Verification is { } v ? (bool?)v.Passed : previous.LastVerifyPassed;
        var verifyDetail = run.Verification is { } checks ? Failures(checks) : previous.LastVerifyDetail;
        Volatile.Write(ref _current, run.Succeeded && run.File is not null
            ? new BackupState(run.StartedAt, run.File, run.Size, run.Duration, verify, verifyDetail, run)
            : previous with { LastVerifyPassed = verify, LastVerifyDetail = verifyDetail, LastRun = run });
    }

    private static string Failures(BackupVerification verification) =>
        verification.Passed ? "passed" : string.Join("; ", verification.Checks.Where(c => !c.Passed).Select(c => c.Detail));
}
