namespace Shepherd.Operations.Backups;

/// <summary>How long `backup prune` keeps backups: <c>Shepherd:Backups:Retention:*</c>. Zero switches a rule off.</summary>
public sealed class BackupRetentionOptions
{
    public const string Section = "Shepherd:Backups:Retention";

    /// <summary>Every backup younger than this many days is kept.</summary>
    public int KeepAllDays { get; set; } = 7;

    /// <summary>The newest backup of each of the last this-many UTC calendar days (today included) is kept.</summary>
    public int KeepDailyDays { get; set; } = 30;

    /// <summary>The newest backup of each of the last this-many ISO weeks (this week included) is kept.</summary>
    public int KeepWeeklyWeeks { get; set; } = 12;

    /// <summary>The newest backup of each of the last this-many calendar months (this month included) is kept.</summary>
    public int KeepMonthlyMonths { get; set; } = 12;
}
