using Microsoft.Extensions.Options;
using Shepherd.Operations.Jobs;

namespace Shepherd.Operations.Backups;

/// <summary>The nightly backup: <c>Shepherd:Backups:Schedule:*</c>.</summary>
public sealed class BackupScheduleOptions : DailySchedule
{
    public const string Section = "Shepherd:Backups:Schedule";

    /// <summary>Inside the 2–4 AM maintenance window, before the database maintenance at 03:30.</summary>
    public override string Time { get; set; } = "03:00";

    /// <summary>Restore each new backup into a scratch database (`backup verify`) before trusting it.</summary>
    public bool VerifyAfterCreate { get; set; } = true;

    /// <summary>Apply the retention policy (`backup prune`) after a successful backup.</summary>
    public bool PruneAfter { get; set; } = true;

    /// <summary>A second folder (a mounted NAS or cloud drive) that gets a copy of each verified backup.</summary>
    public string? CopyTo { get; set; }

    /// <summary>The backups health check is Degraded when the newest successful backup is older than this.</summary>
    public double MaxAgeHours { get; set; } = 26;
}

/// <summary>Checked when the host starts, so a typo stops `serve` and `worker` with a message instead of a silent non-backup.</summary>
public sealed class BackupScheduleOptionsValidator : IValidateOptions<BackupScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, BackupScheduleOptions options)
    {
        var problems = options.Problems(BackupScheduleOptions.Section).ToList();
        if (options.MaxAgeHours <= 0)
        {
            problems.Add($"{BackupScheduleOptions.Section}:MaxAgeHours must be a positive number of hours (default 26).");
        }
        if (options.CopyTo is { Length: > 0 } copyTo && !Path.IsPathFullyQualified(copyTo))
        {
            problems.Add($"{BackupScheduleOptions.Section}:CopyTo '{copyTo}' must be an absolute folder path, e.g. /mnt/nas/shepherd.");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
