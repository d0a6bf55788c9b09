using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shepherd.Operations.Backups;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Backups;

/// <summary>`shepherd backup restore`, run as the real executable: a backup taken, the data changed, the backup put back.</summary>
public abstract partial class BackupRestoreTests
{
    protected abstract Task<CliDatabase> NewDatabaseAsync();

    /// <summary>A seeded database, a backup of it, then more people added so the live data differs from the backup.</summary>
    private async Task<(CliDatabase Db, string Backup, BackupManifest Manifest, SortedDictionary<string, long> Changed)> ChangedSinceBackupAsync()
    {
        var db = await NewDatabaseAsync();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        var seed = await db.RunAsync("seed-demo", "--members", "40", "--weeks", "3");
        seed.ExitCode.ShouldBe(0, seed.ToString());
        var create = await db.RunAsync("backup", "create");
        create.ExitCode.ShouldBe(0, create.ToString());
        var backup = BackupLine().Match(create.Stdout).Groups[1].Value.Trim();
        var manifest = await BackupArchive.ReadManifestAsync(backup, CancellationToken.None);

        var append = await db.RunAsync("seed-demo", "--members", "7", "--weeks", "1", "--append", "--seed", "2");
        append.ExitCode.ShouldBe(0, append.ToString());
        var changed = await LiveCountsAsync(db);
        changed["people"].ShouldBe(47);
        manifest.RowCounts["people"].ShouldBe(40);
        return (db, backup, manifest, changed);
    }

    private static async Task<SortedDictionary<string, long>> LiveCountsAsync(CliDatabase db)
    {
        SortedDictionary<string, long> counts;
        await using (var ctx = db.Context(null))
        {
            var connection = ctx.Database.GetDbConnection();
            await connection.OpenAsync();
            counts = await TableRowCounter.CountAsync(connection, null, await TableRowCounter.TablesAsync(connection, null, CancellationToken.None), CancellationToken.None);
        }
        // The test process must not hold the database open while a `shepherd` process replaces it (as a stopped server would not).
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        return counts;
    }

    private static string[] SafetyBackups(string backup) =>
        Directory.GetFiles(Path.GetDirectoryName(backup)!, $"*-{BackupRestorer.SafetyLabel}{BackupFolder.Extension}");

    [Fact]
    public async Task Restore_with_yes_puts_the_backup_back_after_a_safety_backup_of_the_current_data()
    {
        var (db, backup, manifest, changed) = await ChangedSinceBackupAsync();
        await using var _ = db;

        var restore = await db.RunAsync("backup", "restore", backup, "--yes");

        restore.ExitCode.ShouldBe(0, restore.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine(restore.Stdout);
        (await LiveCountsAsync(db)).ShouldBe(manifest.RowCounts);
        restore.Stdout.ShouldContain($"Rows: {manifest.RowCounts.Values.Sum():N0} in {manifest.RowCounts.Count} tables, equal to the manifest");
        restore.Stdout.ShouldContain($"Schema: before {manifest.SchemaVersion}, backup {manifest.SchemaVersion}, after {manifest.SchemaVersion}");
        restore.Stdout.ShouldMatch(@"Elapsed: \d+\.\ds");
        var safety = SafetyLine().Match(restore.Stdout).Groups[1].Value.Trim();
        SafetyBackups(backup).ShouldBe([safety]);
        (await BackupArchive.ReadManifestAsync(safety, CancellationToken.None)).RowCounts.ShouldBe(changed, "the safety backup holds the data that was replaced");

        var verifySafety = await db.RunAsync("backup", "verify", safety);
        verifySafety.ExitCode.ShouldBe(0, verifySafety.ToString());
    }

    [Fact]
    public async Task Restore_without_yes_when_input_is_not_a_terminal_names_yes_and_changes_nothing()
    {
        var (db, backup, _, changed) = await ChangedSinceBackupAsync();
        await using var _ = db;

        var restore = await db.RunAsync("backup", "restore", backup);

        restore.ExitCode.ShouldBe(1, restore.ToString());
        restore.Stderr.ShouldContain("add --yes");
        (await LiveCountsAsync(db)).ShouldBe(changed);
        SafetyBackups(backup).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_backup_from_a_newer_schema_is_refused_and_nothing_changes()
    {
        var (db, backup, manifest, changed) = await ChangedSinceBackupAsync();
        await using var _ = db;
        await RewriteManifestAsync(backup, json => json["schemaVersion"] = "99991231235959_Future");

        var restore = await db.RunAsync("backup", "restore", backup, "--yes");

        restore.ExitCode.ShouldBe(1, restore.ToString());
        restore.Stderr.ShouldContain(
            $"This backup was made by a newer Shepherd (schema 99991231235959_Future, Shepherd {manifest.ShepherdVersion}); this build knows up to {manifest.SchemaVersion}. Install that release or newer to restore it.");
        (await LiveCountsAsync(db)).ShouldBe(changed);
        SafetyBackups(backup).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_backup_that_fails_verify_is_not_restored_and_nothing_changes()
    {
        var (db, backup, manifest, changed) = await ChangedSinceBackupAsync();
        await using var _ = db;
        await RewriteEntryAsync(backup, manifest.PayloadFile, bytes => bytes[bytes.Length / 2] ^= 0x01);

        var restore = await db.RunAsync("backup", "restore", backup, "--yes");

        restore.ExitCode.ShouldBe(1, restore.ToString());
        restore.Stderr.ShouldContain("failed verification (payload checksum mismatch");
        restore.Stderr.ShouldContain("it was not restored and nothing was changed");
        (await LiveCountsAsync(db)).ShouldBe(changed);
        SafetyBackups(backup).ShouldBeEmpty();
    }

    /// <summary>The checksum covers only the payload, so an edited manifest still reads as a valid backup.</summary>
    protected static Task RewriteManifestAsync(string file, Action<JsonNode> change) =>
        RewriteEntryAsync(file, BackupManifest.EntryName, bytes =>
        {
            var json = JsonNode.Parse(bytes)!;
            change(json);
            return System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        });

    private static Task RewriteEntryAsync(string file, string entryName, Action<byte[]> change) =>
        RewriteEntryAsync(file, entryName, bytes =>
        {
            change(bytes);
            return bytes;
        });

    private static async Task RewriteEntryAsync(string file, string entryName, Func<byte[], byte[]> change)
    {
        using var zip = ZipFile.Open(file, ZipArchiveMode.Update);
        var entry = zip.GetEntry(entryName).ShouldNotBeNull();
        byte[] bytes;
        await using (var stream = await entry.OpenAsync())
        using (var memory = new MemoryStream())
        {
            await stream.CopyToAsync(memory);
            bytes = memory.ToArray();
        }
        entry.Delete();
        var replaced = zip.CreateEntry(entryName, CompressionLevel.Optimal);
        await using var target = await replaced.OpenAsync();
        await target.WriteAsync(change(bytes));
    }

    [GeneratedRegex(@"^Backup: (.+)$", RegexOptions.Multiline)]
    private static partial Regex BackupLine();

    [GeneratedRegex(@"^Safety backup: (.+)$", RegexOptions.Multiline)]
    private static partial Regex SafetyLine();
}

public sealed class SqliteBackupRestoreTests : BackupRestoreTests
{
    protected override Task<CliDatabase> NewDatabaseAsync() => Task.FromResult<CliDatabase>(new SqliteCliDatabase());
}

public sealed class PostgresBackupRestoreTests : BackupRestoreTests
{
    protected override async Task<CliDatabase> NewDatabaseAsync() => await PostgresCliDatabase.CreateAsync();

    [Fact]
    public async Task A_sqlite_backup_is_refused_by_a_postgres_configuration_naming_the_provider_setting()
    {
        await using var postgres = await NewDatabaseAsync();
        (await postgres.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        await using var sqlite = new SqliteCliDatabase();
        (await sqlite.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        var create = await sqlite.RunAsync("backup", "create");
        create.ExitCode.ShouldBe(0, create.ToString());
        var backup = BackupLineOf(create.Stdout);

        var restore = await postgres.RunAsync("backup", "restore", backup, "--yes");

        restore.ExitCode.ShouldBe(1, restore.ToString());
        restore.Stderr.ShouldContain("This is a Sqlite backup but Shepherd is configured for Postgres");
        restore.Stderr.ShouldContain("Shepherd__Database__Provider=Sqlite");
    }

    private static string BackupLineOf(string stdout) => Regex.Match(stdout, @"^Backup: (.+)$", RegexOptions.Multiline).Groups[1].Value.Trim();
}

/// <summary>`backup restore` on SQLite while `shepherd serve` runs on the same file.</summary>
public sealed class SqliteRestoreWhileServingTests
{
    [Fact]
    public async Task Restore_refuses_while_a_server_runs_on_the_database_and_works_once_it_stopped()
    {
        await using var db = new SqliteCliDatabase();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        var create = await db.RunAsync("backup", "create");
        create.ExitCode.ShouldBe(0, create.ToString());
        var backup = Regex.Match(create.Stdout, @"^Backup: (.+)$", RegexOptions.Multiline).Groups[1].Value.Trim();

        await using (var server = await ServeProcess.StartAsync(db.Environment))
        {
            var refused = await db.RunAsync("backup", "restore", backup, "--yes");

            refused.ExitCode.ShouldBe(1, refused.ToString());
            refused.Stderr.ShouldContain("A Shepherd server or worker is running on");
            refused.Stderr.ShouldContain("stop it first");
            Directory.GetFiles(Path.GetDirectoryName(backup)!, $"*-{BackupRestorer.SafetyLabel}{BackupFolder.Extension}").ShouldBeEmpty();
            server.HasExited.ShouldBeFalse();
        }

        var restore = await db.RunAsync("backup", "restore", backup, "--yes");
        restore.ExitCode.ShouldBe(0, restore.ToString());
    }
}
