using Npgsql;
using Shepherd.Cli;
using Shepherd.Data;

namespace Shepherd.Operations.Migrations;

/// <summary>
/// Only one schema change at a time per database: two replicas running `migrate up` at once must not both apply a
/// migration. PostgreSQL: a session-level advisory lock, held on its own connection for the whole run (it works
/// across machines, and ends with the session if the process dies). SQLite: an exclusive lock on a file beside the
/// database (the database lives on one machine, and the OS drops the lock with the process).
/// </summary>
public sealed class MigrationLock : IAsyncDisposable
{
    /// <summary>"Shepherd" in ASCII: the advisory lock key every Shepherd release uses for its migrations.</summary>
    public const long PostgresKey = 0x5368_6570_6865_7264;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    private readonly IAsyncDisposable _held;

    private MigrationLock(IAsyncDisposable held) => _held = held;

    /// <summary>Waits for the lock, saying once that it waits, and gives up after <paramref name="timeout"/>.</summary>
    public static async Task<MigrationLock> AcquireAsync(
        DatabaseTarget target, TimeProvider clock, TimeSpan timeout, Action<string> waiting, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + timeout;
        var said = false;
        while (true)
        {
            var held = target.SqliteFile is { } file
                ? TryLockFile(file + ".migrate-lock")
                : await TryLockPostgresAsync(target.ConnectionString, cancellationToken);
            if (held is not null)
            {
                return new MigrationLock(held);
            }
            if (clock.GetUtcNow() > deadline)
            {
                throw new CommandException(
                    $"Another migration run still holds the migration lock on {target.Description} after {timeout.TotalMinutes:F0} minutes. " +
                    "Wait for it to finish (see its output or the server log), then run the command again.");
            }
            if (!said)
            {
                waiting($"Another migration run is in progress on {target.Description}; waiting for it to finish...");
                said = true;
            }
            await Task.Delay(Poll, clock, cancellationToken);
        }
    }

    public ValueTask DisposeAsync() => _held.DisposeAsync();

    private static FileStream? TryLockFile(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            // FileShare.None takes an exclusive OS lock (flock on Unix) that other processes see. The file stays:
            // deleting it would let a waiter lock a new file while the old one is still held.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task<IAsyncDisposable?> TryLockPostgresAsync(string connectionString, CancellationToken cancellationToken)
    {
        // Its own unpooled connection: the lock belongs to the session, which must not go back to a pool still holding it.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({PostgresKey})", connection);
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
            {
                return connection; // closing the session releases the lock
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }
}
