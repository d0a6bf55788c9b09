using Shouldly;

namespace Shepherd.Tests.Backups;

/// <summary>The deploy/postgres scripts on bad input: a non-zero exit and a message that names the fix, before touching anything.</summary>
public sealed class PostgresScriptTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "shepherd-script-tests", Guid.NewGuid().ToString("N"));

    public PostgresScriptTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> Scripts => ["archive-wal.sh", "base-backup.sh", "restore-to-time.sh"];

    private static Task<Cli.ProcessResult> RunAsync(string script, params string[] args) =>
        OsCommand.RunAsync(Path.Combine(DeployScripts.Folder, script), args, TimeSpan.FromSeconds(20));

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Each_script_without_arguments_exits_non_zero_with_its_usage_and_what_is_missing(string script)
    {
        var result = await RunAsync(script);

        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.Stderr.ShouldContain($"Usage: {script}");
        result.Stderr.ShouldContain($"{script}: ");
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Each_script_prints_its_usage_for_help_and_exits_0(string script)
    {
        var result = await RunAsync(script, "--help");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain($"Usage: {script}");
    }

    [Fact]
    public async Task Archive_wal_copies_a_segment_takes_an_identical_one_again_and_refuses_to_overwrite_a_different_one()
    {
        var archive = Directory.CreateDirectory(Path.Combine(_folder, "archive")).FullName;
        var segment = Path.Combine(_folder, "000000010000000000000007");
        await File.WriteAllBytesAsync(segment, [1, 2, 3, 4]);

        (await RunAsync("archive-wal.sh", segment, "000000010000000000000007", archive)).ExitCode.ShouldBe(0);
        (await File.ReadAllBytesAsync(Path.Combine(archive, "000000010000000000000007"))).ShouldBe([1, 2, 3, 4]);
        (await RunAsync("archive-wal.sh", segment, "000000010000000000000007", archive)).ExitCode.ShouldBe(0, "a retry of the same file succeeds");

        await File.WriteAllBytesAsync(segment, [9, 9, 9, 9]);
        var different = await RunAsync("archive-wal.sh", segment, "000000010000000000000007", archive);

        different.ExitCode.ShouldNotBe(0, different.ToString());
        different.Stderr.ShouldContain("already exists with different content: refusing to overwrite archived WAL");
        (await File.ReadAllBytesAsync(Path.Combine(archive, "000000010000000000000007"))).ShouldBe([1, 2, 3, 4]);
        Directory.GetFiles(archive).Length.ShouldBe(1, "no temporary file is left behind");
    }

    [Fact]
    public async Task Archive_wal_names_the_fix_when_the_archive_folder_is_missing()
    {
        var segment = Path.Combine(_folder, "000000010000000000000001");
        await File.WriteAllBytesAsync(segment, [1]);
        var missing = Path.Combine(_folder, "no-such-archive");

        var result = await RunAsync("archive-wal.sh", segment, "000000010000000000000001", missing);

        result.ExitCode.ShouldNotBe(0);
        result.Stderr.ShouldContain($"the archive folder {missing} does not exist: create it (mkdir -p {missing}");
    }

    [Fact]
    public async Task Restore_to_time_names_every_missing_option()
    {
        var result = await RunAsync("restore-to-time.sh", "--base", _folder, "--archive", _folder);

        result.ExitCode.ShouldNotBe(0);
        result.Stderr.ShouldContain("missing --target-time --data-dir: all four options are required.");
    }

    [Fact]
    public async Task Restore_to_time_refuses_a_time_that_is_not_a_timestamp_and_a_data_directory_that_is_not_empty()
    {
        var backup = Directory.CreateDirectory(Path.Combine(_folder, "base", "20250101T000000Z")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(backup, "base.tar.gz"), [0]);
        var archive = Directory.CreateDirectory(Path.Combine(_folder, "archive")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(archive, "000000010000000000000001"), [0]);
        var data = Directory.CreateDirectory(Path.Combine(_folder, "data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "PG_VERSION"), "15");

        var badTime = await RunAsync("restore-to-time.sh", "--base", backup, "--archive", archive, "--target-time", "yesterday", "--data-dir", Path.Combine(_folder, "new"));
        var notEmpty = await RunAsync("restore-to-time.sh", "--base", backup, "--archive", archive, "--target-time", "2025-01-01 10:00:00+00", "--data-dir", data);

        badTime.ExitCode.ShouldNotBe(0);
        badTime.Stderr.ShouldContain("--target-time 'yesterday' is not a timestamp: write it as 'YYYY-MM-DD HH:MM:SS+00'");
        notEmpty.ExitCode.ShouldNotBe(0);
        notEmpty.Stderr.ShouldContain($"--data-dir {data} is not empty: restore into a new folder");
        File.ReadAllText(Path.Combine(data, "PG_VERSION")).ShouldBe("15");
        Directory.Exists(Path.Combine(_folder, "new")).ShouldBeFalse();
    }
}
