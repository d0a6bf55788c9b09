namespace Shepherd.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>The <c>Shepherd:Database</c> settings, plus the data folder every embedded file lives in.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Shepherd:Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>SQLite <c>synchronous</c> level. FULL survives power loss as well as process crashes.</summary>
    public string SqliteSynchronous { get; set; } = "FULL";

    /// <summary>How long a writer waits for another writer's lock before giving up (SQLite).</summary>
    public int BusyTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// A migrations assembly file to use instead of the one built in (relative to the program's folder or absolute).
    /// For rehearsing a release's migrations and for tests; leave unset in production.
    /// </summary>
    public string? MigrationsAssembly { get; set; }
}

/// <summary>Where the embedded database, backups, logs and keys live (<c>Shepherd:DataFolder</c>, default <c>./data</c>).</summary>
public sealed record DataFolder(string Path)
{
    public string DatabaseFile => System.IO.Path.Combine(Path, "shepherd.db");
    public string Backups => System.IO.Path.Combine(Path, "backups");
    public string Logs => System.IO.Path.Combine(Path, "logs");
    public string Keys => System.IO.Path.Combine(Path, "keys");
}
