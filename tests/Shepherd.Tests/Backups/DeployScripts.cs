namespace Shepherd.Tests.Backups;

/// <summary>The operator scripts in deploy/postgres of this checkout, found from the test binaries by walking up to Shepherd.slnx.</summary>
public static class DeployScripts
{
    public static string Folder { get; } = Path.Combine(RepositoryRoot(), "deploy", "postgres");

    public static string ArchiveWal => Path.Combine(Folder, "archive-wal.sh");

    public static string BaseBackup => Path.Combine(Folder, "base-backup.sh");

    public static string RestoreToTime => Path.Combine(Folder, "restore-to-time.sh");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Shepherd.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Shepherd.slnx above {AppContext.BaseDirectory}: the tests must run from a build inside the repository.");
    }
}
