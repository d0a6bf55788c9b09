using Microsoft.Data.Sqlite;
using Shepherd.Data;

namespace Shepherd.Operations.Backups;

/// <summary>
/// Copies the SQLite database with the online backup API, which gives a consistent snapshot while the server
/// keeps writing. Row counts are read from the copy, so they describe the payload exactly.
/// </summary>
public sealed class SqliteBackupSource(DatabaseTarget target)
{
    public const string PayloadFile = "database.sqlite";

    public async Task<BackupPayload> CopyAsync(string tempFile, CancellationToken cancellationToken)
    {
        var file = target.SqliteFile!;
        if (!File.Exists(file))
        {
            throw new Cli.CommandException($"There is no database at {file} to back up. Check Shepherd__DataFolder.");
        }
        await SqliteFiles.SnapshotAsync(target.ConnectionString, tempFile, cancellationToken);
        await using var copy = new SqliteConnection(SqliteFiles.ScratchConnectionString(tempFile));
        await copy.OpenAsync(cancellationToken);
        var counts = await TableRowCounter.CountAsync(copy, null, await TableRowCounter.TablesAsync(copy, null, cancellationToken), cancellationToken);
        return new BackupPayload(tempFile, PayloadFile, counts);
    }
}
