using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Organizations;
using Shepherd.Operations.Backups;
using Shepherd.Tests.Cli;
using Shepherd.Tests.Migrations;
using Shouldly;

namespace Shepherd.Tests.Backups;

/// <summary>`shepherd backup create|list|verify`, run as the real executable against a seeded database on each provider.</summary>
public abstract partial class BackupCommandTests
{
    protected abstract Task<CliDatabase> NewDatabaseAsync();

    protected async Task<CliDatabase> SeededDatabaseAsync()
    {
        var db = await NewDatabaseAsync();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        var seed = await db.RunAsync("seed-demo", "--members", "50", "--weeks", "4");
        seed.ExitCode.ShouldBe(0, seed.ToString());
        return db;
    }

    protected static async Task<string> CreateBackupAsync(CliDatabase db, params string[] extra)
    {
        var create = await db.RunAsync(["backup", "create", .. extra]);
        create.ExitCode.ShouldBe(0, create.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine(create.Stdout);
        create.Stdout.ShouldMatch(@"Payload SHA-256: [0-9a-f]{64}");
        create.Stdout.ShouldMatch(@"Elapsed: \d+\.\ds");
        create.Stdout.ShouldContain("Writing the backup file: 100%", customMessage: "progress comes as plain lines when output is not a terminal");
        return BackupLine().Match(create.Stdout).Groups[1].Value.Trim();
    }

    protected static async Task<SortedDictionary<string, long>> LiveCountsAsync(CliDatabase db)
    {
        await using var ctx = db.Context(null);
        var connection = ctx.Database.GetDbConnection();
        await connection.OpenAsync();
        return await TableRowCounter.CountAsync(connection, null, await TableRowCounter.TablesAsync(connection, null, CancellationToken.None), CancellationToken.None);
    }

    [Fact]
    public async Task A_new_backup_verifies_and_its_manifest_counts_every_table_of_the_database()
    {
        await using var db = await SeededDatabaseAsync();

        var file = await CreateBackupAsync(db, "--label", "nightly");

        Path.GetFileName(file).ShouldMatch(@"^shepherd-\d{8}T\d{6}Z-nightly\.backup$");
        var manifest = await BackupArchive.ReadManifestAsync(file, CancellationToken.None);
        manifest.Provider.ShouldBe(db.Provider);
        manifest.FormatVersion.ShouldBe(1);
        manifest.SchemaVersion.ShouldBe(ShepherdMigrations.LatestId(db.Provider));
        manifest.Label.ShouldBe("nightly");
        var live = await LiveCountsAsync(db);
        manifest.RowCounts.ShouldBe(live);
        live["people"].ShouldBe(50);
        live["attendance"].ShouldBeGreaterThan(0);

        var verify = await db.RunAsync("backup", "verify", file);
        verify.ExitCode.ShouldBe(0, verify.ToString());
        verify.Stdout.ShouldContain("Verified: 4/4 checks passed");
        verify.Stdout.ShouldContain($"{manifest.RowCounts.Count} tables, {live.Values.Sum()} rows match the manifest");
        verify.Stdout.ShouldContain("Reading and checksumming: 100%");
        TestContext.Current.TestOutputHelper?.WriteLine(verify.Stdout);
        if (db.Provider == DatabaseProvider.Postgres)
        {
            var scratch = ScratchName().Match(verify.Stdout).Groups[1].Value;
            scratch.ShouldNotBeEmpty();
            await using var ctx = db.Context(null);
            var left = await ctx.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM pg_database WHERE datname = {scratch}").SingleAsync();
            left.ShouldBe(0, "the scratch database is dropped after verifying");
        }
    }

    [Fact]
    public async Task List_shows_a_backup_as_unverified_until_verify_passes()
    {
        await using var db = await SeededDatabaseAsync();
        var file = await CreateBackupAsync(db);
        var name = Path.GetFileName(file);

        var before = await db.RunAsync("backup", "list");
        before.ExitCode.ShouldBe(0, before.ToString());
        before.Stdout.ShouldMatch($@"(?m){Regex.Escape(name)}.*{db.Provider}.*{ShepherdMigrations.LatestId(db.Provider)}\s+no\s*$");

        (await db.RunAsync("backup", "verify", name)).ExitCode.ShouldBe(0);

        var after = await db.RunAsync("backup", "list");
        after.Stdout.ShouldMatch($@"{Regex.Escape(name)}.*yes \(");
    }

    [Fact]
    public async Task A_flipped_payload_byte_fails_verify_naming_the_checksum()
    {
        await using var db = await SeededDatabaseAsync();
        var file = await CreateBackupAsync(db);
        var manifest = await BackupArchive.ReadManifestAsync(file, CancellationToken.None);
        await RewriteEntryAsync(file, manifest.PayloadFile, bytes => bytes[bytes.Length / 2] ^= 0x01);

        var verify = await db.RunAsync("backup", "verify", file);

        verify.ExitCode.ShouldBe(1, verify.ToString());
        verify.Stdout.ShouldContain($"payload checksum mismatch: manifest expects SHA-256 {manifest.PayloadSha256}");
        verify.Stderr.ShouldContain("failed verification");
        var list = await db.RunAsync("backup", "list");
        list.Stdout.ShouldMatch($@"{Regex.Escape(Path.GetFileName(file))}.*FAILED");
    }

    [Fact]
    public async Task A_truncated_backup_fails_verify_and_is_listed_as_unreadable()
    {
        await using var db = await SeededDatabaseAsync();
        var file = await CreateBackupAsync(db);
        var bytes = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, bytes[..(bytes.Length / 2)]);

        var verify = await db.RunAsync("backup", "verify", file);
        verify.ExitCode.ShouldBe(1, verify.ToString());
        verify.Stdout.ShouldContain("unreadable: not a complete backup archive, truncated or corrupt");

        var list = await db.RunAsync("backup", "list");
        list.ExitCode.ShouldBe(0, list.ToString());
        list.Stdout.ShouldMatch($@"{Regex.Escape(Path.GetFileName(file))}\s+unreadable: not a complete backup archive");
    }

    [Fact]
    public async Task A_manifest_edited_to_another_row_count_fails_verify_naming_the_table()
    {
        await using var db = await SeededDatabaseAsync();
        var file = await CreateBackupAsync(db);
        await RewriteEntryAsync(file, BackupManifest.EntryName, bytes =>
        {
            var json = JsonNode.Parse(bytes)!;
            json["rowCounts"]!["people"] = 51;
            var edited = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
            return edited;
        });

        var verify = await db.RunAsync("backup", "verify", file);

        verify.ExitCode.ShouldBe(1, verify.ToString());
        verify.Stdout.ShouldContain("row counts differ from the manifest in 1 table(s): people: manifest 51, restored 50");
    }

    [Fact]
    public async Task Verify_of_a_missing_file_names_backup_list()
    {
        await using var db = await NewDatabaseAsync();

        var verify = await db.RunAsync("backup", "verify", "shepherd-19990101T000000Z.backup");

        verify.ExitCode.ShouldBe(1, verify.ToString());
        verify.Stderr.ShouldContain("Run `shepherd backup list`");
    }

    private static Task RewriteEntryAsync(string file, string entryName, Action<byte[]> change) =>
        RewriteEntryAsync(file, entryName, bytes =>
        {
            change(bytes);
            return bytes;
        });

    /// <summary>Replaces one entry of the backup ZIP, keeping the archive itself valid.</summary>
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

    [GeneratedRegex(@"scratch database (shepherd_verify_[0-9a-f]+)")]
    private static partial Regex ScratchName();

    [GeneratedRegex(@"^Backup: (.+)$", RegexOptions.Multiline)]
    private static partial Regex BackupLine();
}

public sealed class SqliteBackupCommandTests : BackupCommandTests
{
    protected override Task<CliDatabase> NewDatabaseAsync() => Task.FromResult<CliDatabase>(new SqliteCliDatabase());

    [Fact]
    public async Task A_backup_taken_while_another_process_writes_is_a_consistent_snapshot()
    {
        await using var db = await SeededDatabaseAsync();
        long organizationId;
        await using (var global = db.Context(null))
        {
            organizationId = await global.Organizations.Where(o => o.Name == "Demo Church").Select(o => o.Id).SingleAsync();
        }
        var before = (await LiveCountsAsync(db))["campuses"];

        var create = CreateBackupAsync(db);
        var inserted = 0;
        // Bounded: stops when the backup is done, or after 20 000 inserts at most.
        while (!create.IsCompleted && inserted < 20_000)
        {
            await using var ctx = db.Context(organizationId);
            ctx.Campuses.Add(new Campus { Name = $"Write during backup {inserted}" });
            await ctx.SaveChangesAsync();
            inserted++;
        }
        var file = await create;

        inserted.ShouldBeGreaterThan(0);
        var manifest = await BackupArchive.ReadManifestAsync(file, CancellationToken.None);
        manifest.RowCounts["campuses"].ShouldBeInRange(before, before + inserted);
        var verify = await db.RunAsync("backup", "verify", file);
        verify.ExitCode.ShouldBe(0, verify.ToString());
        verify.Stdout.ShouldContain("Verified: 4/4 checks passed");
    }
}

public sealed class PostgresBackupCommandTests : BackupCommandTests
{
    protected override async Task<CliDatabase> NewDatabaseAsync() => await PostgresCliDatabase.CreateAsync();

    [Fact]
    public async Task A_backup_verifies_with_its_own_provider_and_a_postgres_backup_needs_a_configured_server()
    {
        await using var postgres = await SeededDatabaseAsync();
        await using var sqlite = new SqliteCliDatabase();
        (await sqlite.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        var sqliteBackup = await CreateBackupAsync(sqlite);
        var postgresBackup = await CreateBackupAsync(postgres);

        var sqliteOnPostgres = await postgres.RunAsync("backup", "verify", sqliteBackup);
        sqliteOnPostgres.ExitCode.ShouldBe(0, sqliteOnPostgres.ToString());
        sqliteOnPostgres.Stdout.ShouldContain("SQLite PRAGMA integrity_check: ok");

        var postgresOnSqlite = await sqlite.RunAsync("backup", "verify", postgresBackup);
        postgresOnSqlite.ExitCode.ShouldBe(1, postgresOnSqlite.ToString());
        postgresOnSqlite.Stderr.ShouldContain("This is a PostgreSQL backup");
        postgresOnSqlite.Stderr.ShouldContain("ConnectionStrings__Shepherd");
    }
}
