using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Shepherd.Cli;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Operations.Health;

namespace Shepherd.Operations.Backups;

public sealed record CreatedBackup(string File, long Size, BackupManifest Manifest, TimeSpan Duration);

/// <summary>`backup create`: copies the database (SQLite online backup or pg_dump) and writes one backup file with its manifest.</summary>
public sealed partial class BackupWriter(
    ShepherdDbContextFactory contexts, DatabaseTarget target, BackupFolder folder, TimeProvider clock,
    SqliteBackupSource sqlite, PostgresBackupSource postgres)
{
    /// <param name="progress">Bars or lines for a person at the shell; null for a job or a request.</param>
    public async Task<CreatedBackup> CreateAsync(string? label, CancellationToken cancellationToken, CliProgress? progress = null)
    {
        progress ??= CliProgress.Silent;
        if (label is not null && !LabelPattern().IsMatch(label))
        {
            throw new CommandException($"The label '{label}' cannot be part of a file name: use up to 40 letters, digits, '-' or '_'.");
        }
        var started = Stopwatch.StartNew();
        var createdAt = clock.GetUtcNow();
        string schemaVersion;
        await using (var db = contexts.Create(null, AuditActor.System))
        {
            schemaVersion = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault() ?? "none";
        }

        Directory.CreateDirectory(folder.Path);
        var file = FreeName(createdAt, label);
        var name = Path.GetFileName(file);
        var temp = Path.Combine(folder.Path, $".{name}.{Guid.NewGuid():N}.tmp");
        var partial = file + ".partial";
        try
        {
            var copying = progress.Step("Copying the database", 1);
            var payload = target.Provider == DatabaseProvider.Sqlite
                ? await sqlite.CopyAsync(temp, cancellationToken)
                : await postgres.CopyAsync(temp, cancellationToken);
            copying.Advance();
            // A pg_dump custom file is compressed already; a SQLite file compresses well.
            var compression = target.Provider == DatabaseProvider.Sqlite ? CompressionLevel.Optimal : CompressionLevel.NoCompression;
            var manifest = await BackupArchive.WriteAsync(partial, temp, payload.FileName,
                (sha256, size) => new BackupManifest(
                    BackupManifest.CurrentFormatVersion, HealthEndpoints.Version, schemaVersion, target.Provider, createdAt, label,
                    payload.FileName, sha256, size, payload.RowCounts),
                compression, progress.Step("Writing the backup file", new FileInfo(temp).Length), cancellationToken);
            // Only a complete file gets the .backup name, so `list` never shows a half-written one as a backup.
            File.Move(partial, file);
            return new CreatedBackup(file, new FileInfo(file).Length, manifest, started.Elapsed);
        }
        finally
        {
            File.Delete(temp);
            File.Delete(partial);
        }
    }

    /// <summary>shepherd-&lt;UTC time&gt;[-label].backup, with -2, -3... when backups are taken within the same second.</summary>
    private string FreeName(DateTimeOffset createdAt, string? label)
    {
        var stem = $"shepherd-{createdAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}{(label is null ? "" : "-" + label)}";
        var file = Path.Combine(folder.Path, stem + BackupFolder.Extension);
        for (var n = 2; File.Exists(file); n++)
        {
            file = Path.Combine(folder.Path, $"{stem}-{n}{BackupFolder.Extension}");
        }
        return file;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex LabelPattern();
}
