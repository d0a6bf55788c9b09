using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Shepherd.Operations.Backups;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Backups;

/// <summary>`shepherd backup prune [--dry-run]` through the real executable on SQLite, with backups dated by their manifests.</summary>
public sealed class BackupPruneCommandTests
{
    [Fact]
    public async Task Prune_deletes_exactly_what_the_policy_lets_go_with_its_verification_record_and_dry_run_deletes_nothing()
    {
        await using var db = new SqliteCliDatabase();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        var create = await db.RunAsync("backup", "create");
        create.ExitCode.ShouldBe(0, create.ToString());
        var real = Regex.Match(create.Stdout, @"^Backup: (.+)$", RegexOptions.Multiline).Groups[1].Value.Trim();
        var folder = Path.GetDirectoryName(real)!;
        var now = TimeProvider.System.GetUtcNow();
        var day = new DateTimeOffset(now.AddDays(-100).UtcDateTime.Date, TimeSpan.Zero);

        var recent = await CopyDatedAsync(real, now.AddDays(-3));
        var monthlyNewest = await CopyDatedAsync(real, day.AddHours(13));
        var monthlyOlder = await CopyDatedAsync(real, day.AddHours(12));
        var tooOld = await CopyDatedAsync(real, now.AddDays(-400));
        var newestVerified = await CopyDatedAsync(real, now.AddDays(-500), verified: true);
        var olderVerified = await CopyDatedAsync(real, now.AddDays(-600), verified: true);
        var damaged = Path.Combine(folder, "shepherd-20000101T000000Z-damaged.backup");
        await File.WriteAllTextAsync(damaged, "not a zip");
        string[] kept = [real, recent, monthlyNewest, newestVerified, damaged];
        string[] deleted = [monthlyOlder, tooOld, olderVerified, BackupFolder.VerificationFile(olderVerified)];
        var everything = Directory.GetFiles(folder).Order().ToList();

        var dryRun = await db.RunAsync("backup", "prune", "--dry-run");

        dryRun.ExitCode.ShouldBe(0, dryRun.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine(dryRun.Stdout);
        Directory.GetFiles(folder).Order().ShouldBe(everything);
        dryRun.Stdout.ShouldMatch(Line("keep", real, "within the last 7 days"));
        dryRun.Stdout.ShouldMatch(Line("keep", recent, "within the last 7 days"));
        dryRun.Stdout.ShouldMatch(Line("keep", monthlyNewest, $"newest of {day:yyyy-MM} (monthly for 12 months)"));
        dryRun.Stdout.ShouldMatch(Line("delete", monthlyOlder, $"a newer backup of {day:yyyy-MM} is kept"));
        dryRun.Stdout.ShouldMatch(Line("delete", tooOld, "older than every retention rule"));
        dryRun.Stdout.ShouldMatch(Line("keep", newestVerified, "newest verified backup"));
        dryRun.Stdout.ShouldMatch(Line("delete", olderVerified, "older than every retention rule"));
        dryRun.Stdout.ShouldMatch(Line("keep", damaged, "unreadable, left for a person to inspect"));
        dryRun.Stdout.ShouldContain("Would keep 5, delete 3,");
        dryRun.Stdout.ShouldContain("nothing was deleted");

        var prune = await db.RunAsync("backup", "prune");

        prune.ExitCode.ShouldBe(0, prune.ToString());
        prune.Stdout.ShouldMatch(@"Kept 5, deleted 3, freed \d+\.\d MiB\.");
        prune.Stdout.ShouldContain("1 unreadable file(s) were left in place");
        Directory.GetFiles(folder).Order().ShouldBe(everything.Except(deleted).Order());
        kept.ShouldAllBe(f => File.Exists(f));
        File.Exists(BackupFolder.VerificationFile(newestVerified)).ShouldBeTrue();

        var again = await db.RunAsync("backup", "prune");
        again.Stdout.ShouldContain("Kept 5, deleted 0, freed 0.0 MiB.");
    }

    private static string Line(string action, string file, string reason) =>
        $@"(?m)^\s+{action}\s+{Regex.Escape(Path.GetFileName(file))}\s+{Regex.Escape(reason)}\s*$";

    /// <summary>A copy of a real backup whose manifest (and name) says it was created at <paramref name="createdAt"/>.</summary>
    private static async Task<string> CopyDatedAsync(string backup, DateTimeOffset createdAt, bool verified = false)
    {
        var manifest = await BackupArchive.ReadManifestAsync(backup, CancellationToken.None);
        var copy = Path.Combine(Path.GetDirectoryName(backup)!,
            $"shepherd-{createdAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}{BackupFolder.Extension}");
        File.Copy(backup, copy);
        using (var zip = ZipFile.Open(copy, ZipArchiveMode.Update))
        {
            zip.GetEntry(BackupManifest.EntryName).ShouldNotBeNull().Delete();
            await using var writer = new StreamWriter(await zip.CreateEntry(BackupManifest.EntryName).OpenAsync());
            await writer.WriteAsync((manifest with { CreatedAt = createdAt }).ToJson());
        }
        if (verified)
        {
            await new BackupVerification(createdAt.AddHours(1), true, TimeSpan.FromSeconds(1), 0, []).SaveAsync(copy, CancellationToken.None);
        }
        return copy;
    }
}
