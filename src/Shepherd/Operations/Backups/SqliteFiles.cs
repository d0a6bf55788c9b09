using Microsoft.Data.Sqlite;

namespace Shepherd.Operations.Backups;

/// <summary>
/// The three things done to SQLite files as wholes: a consistent copy of a live database, SQLite's own integrity
/// check, and swapping a checked file into the live one's place. Backups, verify, restore and the pre-migration
/// backup all use these, so each is done one way.
/// </summary>
public static class SqliteFiles
{
    /// <summary>A private, unpooled connection to a file this process owns (a copy being made or checked).</summary>
    public static string ScratchConnectionString(string file) =>
        new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString();

    /// <summary>Copies the database with the online backup API: a consistent snapshot even while others write.</summary>
    public static async Task SnapshotAsync(string sourceConnectionString, string destinationFile, CancellationToken cancellationToken)
    {
        await using var source = new SqliteConnection(sourceConnectionString);
        await using var destination = new SqliteConnection(ScratchConnectionString(destinationFile));
        await source.OpenAsync(cancellationToken);
        await destination.OpenAsync(cancellationToken);
        source.BackupDatabase(destination);
    }

    /// <summary>What <c>PRAGMA integrity_check</c> reports; empty when the database is sound.</summary>
    public static async Task<IReadOnlyList<string>> IntegrityProblemsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(reader.GetString(0));
        }
        return lines is ["ok"] ? [] : lines;
    }

    /// <summary>
    /// Puts <paramref name="replacement"/> in place of <paramref name="live"/> with one rename, so a crash leaves either
    /// the old or the new database, never a mix. The old -wal/-shm/-journal go first: SQLite would replay a stale WAL
    /// into the new file. No pooled connection may keep the old file open, so the pools are cleared.
    /// </summary>
    public static void Replace(string live, string replacement)
    {
        SqliteConnection.ClearAllPools();
        DeleteSidecars(live);
        File.Move(replacement, live, overwrite: true);
        DeleteSidecars(live);
    }

    /// <summary>
    /// Marks the database as in use by a running server or worker until the stream is disposed: a shared lock on
    /// <c>&lt;file&gt;.in-use</c>, which any number of processes can hold together and the OS drops with the process.
    /// </summary>
    public static FileStream HoldInUse(string databaseFile) =>
        new(databaseFile + ".in-use", FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite); // read access: a shared lock

    /// <summary>True while a server or worker holds <see cref="HoldInUse"/> on the database (an exclusive lock cannot be had).</summary>
    public static bool IsInUse(string databaseFile)
    {
        if (!File.Exists(databaseFile + ".in-use"))
        {
            return false;
        }
        try
        {
            using var exclusive = new FileStream(databaseFile + ".in-use", FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public static void DeleteSidecars(string databaseFile)
    {
        File.Delete(databaseFile + "-wal");
        File.Delete(databaseFile + "-shm");
        File.Delete(databaseFile + "-journal");
    }
}
