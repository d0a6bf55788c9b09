using System.Globalization;
using Microsoft.Extensions.Options;

namespace Shepherd.Operations.Backups;

/// <summary>A backup as retention sees it. <see cref="CreatedAt"/> is null when the file or its manifest is unreadable.</summary>
public sealed record RetentionCandidate(string File, DateTimeOffset? CreatedAt, bool Verified);

public sealed record RetentionDecision(RetentionCandidate Backup, bool Keep, string Reason);

/// <summary>
/// Which backups `backup prune` keeps: all of the last days, then the newest of each day, ISO week and month
/// for a while (UTC), and always the newest verified backup. Pure: no files, the clock is injected.
/// </summary>
public sealed class BackupRetentionPolicy(IOptions<BackupRetentionOptions> options, TimeProvider clock)
{
    public IReadOnlyList<RetentionDecision> Decide(IReadOnlyCollection<RetentionCandidate> backups)
    {
        var settings = Validated(options.Value);
        var now = clock.GetUtcNow().ToUniversalTime();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var thisWeek = WeekStart(today);
        var thisMonth = MonthIndex(today);

        var dated = backups.Where(b => b.CreatedAt is not null)
            .OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.File, StringComparer.Ordinal).ToList();
        var newestVerified = dated.FirstOrDefault(b => b.Verified);
        // Newest first, so the first backup seen in a bucket is the newest of that bucket.
        var seenDays = new HashSet<DateOnly>();
        var seenWeeks = new HashSet<DateOnly>();
        var seenMonths = new HashSet<int>();

        var decisions = new List<RetentionDecision>();
        foreach (var backup in dated)
        {
            var created = backup.CreatedAt!.Value.ToUniversalTime();
            var day = DateOnly.FromDateTime(created.UtcDateTime);
            var week = WeekStart(day);
            var month = MonthIndex(day);
            var newestOfDay = seenDays.Add(day);
            var newestOfWeek = seenWeeks.Add(week);
            var newestOfMonth = seenMonths.Add(month);
            var inDaily = day > today.AddDays(-settings.KeepDailyDays);
            var inWeekly = week > thisWeek.AddDays(-7 * settings.KeepWeeklyWeeks);
            var inMonthly = month > thisMonth - settings.KeepMonthlyMonths;

            var (keep, reason) = true switch
            {
                _ when created > now.AddDays(-settings.KeepAllDays) => (true, $"within the last {settings.KeepAllDays} days"),
                _ when inDaily && newestOfDay => (true, $"newest of {day:yyyy-MM-dd} (daily for {settings.KeepDailyDays} days)"),
                _ when inWeekly && newestOfWeek => (true, $"newest of week {IsoWeek(day)} (weekly for {settings.KeepWeeklyWeeks} weeks)"),
                _ when inMonthly && newestOfMonth => (true, $"newest of {day:yyyy-MM} (monthly for {settings.KeepMonthlyMonths} months)"),
                _ when backup == newestVerified => (true, "newest verified backup"),
                _ when inDaily => (false, $"a newer backup of {day:yyyy-MM-dd} is kept"),
                _ when inWeekly => (false, $"a newer backup of week {IsoWeek(day)} is kept"),
                _ when inMonthly => (false, $"a newer backup of {day:yyyy-MM} is kept"),
                _ => (false, "older than every retention rule"),
            };
            decisions.Add(new RetentionDecision(backup, keep, reason));
        }
        // Prune never deletes what it cannot read: a person should look at it.
        decisions.AddRange(backups.Where(b => b.CreatedAt is null)
            .Select(b => new RetentionDecision(b, true, "unreadable, left for a person to inspect")));
        return decisions;
    }

    private static BackupRetentionOptions Validated(BackupRetentionOptions settings)
    {
        foreach (var (name, value) in new[]
        {
            (nameof(settings.KeepAllDays), settings.KeepAllDays), (nameof(settings.KeepDailyDays), settings.KeepDailyDays),
            (nameof(settings.KeepWeeklyWeeks), settings.KeepWeeklyWeeks), (nameof(settings.KeepMonthlyMonths), settings.KeepMonthlyMonths),
        })
        {
            if (value < 0)
            {
                throw new Data.SettingsException($"{BackupRetentionOptions.Section}:{name} is {value}: set it to 0 or more.");
            }
        }
        return settings;
    }

    private static DateOnly WeekStart(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    private static int MonthIndex(DateOnly day) => (day.Year * 12) + day.Month - 1;

    private static string IsoWeek(DateOnly day)
    {
        var date = day.ToDateTime(TimeOnly.MinValue);
        return string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(date)}-W{ISOWeek.GetWeekOfYear(date):00}");
    }
}
