using System.Globalization;
using CsCheck;
using Microsoft.Extensions.Options;
using Shepherd.Operations.Backups;
using Shouldly;

namespace Shepherd.Tests.Backups;

/// <summary>The retention rules of `backup prune`, on generated histories with a fixed clock.</summary>
public sealed class BackupRetentionPolicyTests
{
    // A Sunday, so the current ISO week ends today.
    private static readonly DateTimeOffset Now = new(2025, 6, 15, 10, 0, 0, TimeSpan.Zero);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static BackupRetentionPolicy Policy(BackupRetentionOptions? settings = null) =>
        new(Options.Create(settings ?? new BackupRetentionOptions()), new FixedClock(Now));

    private static RetentionCandidate Backup(DateTimeOffset createdAt, bool verified = false) =>
        new($"shepherd-{createdAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.backup", createdAt, verified);

    /// <summary>One backup every 6 hours for 15 months up to this morning; only those of April 2024 were verified.</summary>
    private static List<RetentionCandidate> SixHourlyHistory()
    {
        var history = new List<RetentionCandidate>();
        for (var at = new DateTimeOffset(2024, 3, 15, 0, 0, 0, TimeSpan.Zero); at <= Now; at = at.AddHours(6))
        {
            history.Add(Backup(at, verified: at.Year == 2024 && at.Month == 4));
        }
        return history;
    }

    [Fact]
    public void A_six_hourly_history_keeps_the_last_week_then_one_per_day_week_and_month_and_the_newest_verified()
    {
        var history = SixHourlyHistory();
        history.Add(new RetentionCandidate("shepherd-20250101T000000Z-damaged.backup", null, false));

        var decisions = Policy().Decide(history);

        decisions.Count.ShouldBe(history.Count);
        var kept = decisions.Where(d => d.Keep).ToList();
        int Kept(string reasonStart) => kept.Count(d => d.Reason.StartsWith(reasonStart, StringComparison.Ordinal));
        // 08 June 12:00 and 18:00, 4 a day from 9 to 14 June, 00:00 and 06:00 today.
        Kept("within the last 7 days").ShouldBe(28);
        // 17 May to 7 June: 30 calendar days back from today, minus those already kept whole.
        Kept("newest of ").ShouldBe(22 + 7 + 10);
        kept.Where(d => d.Reason.Contains("(daily", StringComparison.Ordinal)).Select(d => d.Backup.CreatedAt!.Value)
            .ShouldBe(Enumerable.Range(0, 22).Select(i => new DateTimeOffset(2025, 6, 7, 18, 0, 0, TimeSpan.Zero).AddDays(-i)));
        // The Sundays of the 12 ISO weeks from 24 March that the daily rule did not already keep.
        kept.Where(d => d.Reason.Contains("(weekly", StringComparison.Ordinal)).Select(d => d.Backup.CreatedAt!.Value)
            .ShouldBe(Enumerable.Range(0, 7).Select(i => new DateTimeOffset(2025, 5, 11, 18, 0, 0, TimeSpan.Zero).AddDays(-7 * i)));
        // The last backup of each month from July 2024; May and June are kept by the daily rule.
        kept.Where(d => d.Reason.Contains("(monthly", StringComparison.Ordinal)).Select(d => d.Backup.CreatedAt!.Value.ToString("yyyy-MM-dd HH", CultureInfo.InvariantCulture))
            .ShouldBe(["2025-04-30 18", "2025-03-31 18", "2025-02-28 18", "2025-01-31 18", "2024-12-31 18", "2024-11-30 18", "2024-10-31 18", "2024-09-30 18", "2024-08-31 18", "2024-07-31 18"]);
        kept.Single(d => d.Reason == "newest verified backup").Backup.CreatedAt.ShouldBe(new DateTimeOffset(2024, 4, 30, 18, 0, 0, TimeSpan.Zero));
        kept.Single(d => d.Backup.CreatedAt is null).Reason.ShouldStartWith("unreadable");
        kept.Count.ShouldBe(28 + 22 + 7 + 10 + 1 + 1);

        foreach (var decision in kept.Where(d => d.Reason.Contains("(daily", StringComparison.Ordinal)))
        {
            NewestOf(history, decision.Backup, b => b.UtcDateTime.Date).ShouldBeTrue(decision.Reason);
        }
        foreach (var decision in kept.Where(d => d.Reason.Contains("(weekly", StringComparison.Ordinal)))
        {
            NewestOf(history, decision.Backup, b => (ISOWeek.GetYear(b.UtcDateTime), ISOWeek.GetWeekOfYear(b.UtcDateTime))).ShouldBeTrue(decision.Reason);
        }
        foreach (var decision in kept.Where(d => d.Reason.Contains("(monthly", StringComparison.Ordinal)))
        {
            NewestOf(history, decision.Backup, b => (b.Year, b.Month)).ShouldBeTrue(decision.Reason);
        }
        decisions.Where(d => !d.Keep).ShouldAllBe(d => d.Backup.CreatedAt < Now.AddDays(-7));
        decisions.Single(d => d.Backup.CreatedAt == new DateTimeOffset(2024, 6, 30, 18, 0, 0, TimeSpan.Zero)).Reason.ShouldBe("older than every retention rule");
        decisions.Single(d => d.Backup.CreatedAt == new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero)).Reason.ShouldBe("a newer backup of 2025-06-01 is kept");
        decisions.Single(d => d.Backup.CreatedAt == new DateTimeOffset(2025, 4, 1, 0, 0, 0, TimeSpan.Zero)).Reason.ShouldBe("a newer backup of week 2025-W14 is kept");
        decisions.Single(d => d.Backup.CreatedAt == new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)).Reason.ShouldBe("a newer backup of 2025-01 is kept");
    }

    [Fact]
    public void Pruning_the_six_hourly_history_twice_deletes_nothing_the_second_time()
    {
        var kept = Policy().Decide(SixHourlyHistory()).Where(d => d.Keep).Select(d => d.Backup).ToList();

        Policy().Decide(kept).ShouldAllBe(d => d.Keep);
    }

    [Fact]
    public void A_negative_setting_is_refused_naming_it()
    {
        var error = Should.Throw<Shepherd.Data.SettingsException>(() => Policy(new BackupRetentionOptions { KeepWeeklyWeeks = -1 }).Decide([Backup(Now)]));

        error.Message.ShouldContain("Shepherd:Backups:Retention:KeepWeeklyWeeks");
    }

    private static readonly Gen<BackupRetentionOptions> Settings =
        Gen.Select(Gen.Int[0, 10], Gen.Int[0, 40], Gen.Int[0, 15], Gen.Int[0, 15],
            (all, daily, weekly, monthly) => new BackupRetentionOptions { KeepAllDays = all, KeepDailyDays = daily, KeepWeeklyWeeks = weekly, KeepMonthlyMonths = monthly });

    private static readonly Gen<RetentionCandidate> Candidate =
        Gen.Select(Gen.Int[-60, 60 * 24 * 600], Gen.Bool, Gen.Int[0, 20], Gen.Int[0, 1_000_000],
            (minutesAgo, verified, unreadable, id) => new RetentionCandidate(
                $"backup-{id}-{minutesAgo}.backup", unreadable == 0 ? null : Now.AddMinutes(-minutesAgo), verified));

    private static readonly Gen<(BackupRetentionOptions, RetentionCandidate[])> Histories =
        Gen.Select(Settings, Candidate.Array[0, 80].Select(a => a.DistinctBy(c => c.File).ToArray()));

    [Fact]
    public void On_any_history_the_recent_the_newest_verified_and_the_unreadable_backups_are_kept_and_a_second_prune_keeps_everything()
    {
        Histories.Sample((settings, history) =>
        {
            var decisions = Policy(settings).Decide(history);

            decisions.Select(d => d.Backup).ShouldBe(history, ignoreOrder: true);
            decisions.Where(d => d.Backup.CreatedAt > Now.AddDays(-settings.KeepAllDays)).ShouldAllBe(d => d.Keep);
            decisions.Where(d => d.Backup.CreatedAt is null).ShouldAllBe(d => d.Keep);
            var newestVerified = history.Where(b => b.Verified && b.CreatedAt is not null).MaxBy(b => b.CreatedAt);
            if (newestVerified is not null)
            {
                // Ties in time: at least one of the newest verified is kept.
                decisions.ShouldContain(d => d.Keep && d.Backup.Verified && d.Backup.CreatedAt == newestVerified.CreatedAt);
            }
            var kept = decisions.Where(d => d.Keep).Select(d => d.Backup).ToList();
            Policy(settings).Decide(kept).ShouldAllBe(d => d.Keep);
        });
    }

    private static bool NewestOf<TBucket>(IEnumerable<RetentionCandidate> history, RetentionCandidate backup, Func<DateTimeOffset, TBucket> bucket) =>
        history.Where(b => b.CreatedAt is { } at && EqualityComparer<TBucket>.Default.Equals(bucket(at), bucket(backup.CreatedAt!.Value)))
            .All(b => b.CreatedAt <= backup.CreatedAt);
}
