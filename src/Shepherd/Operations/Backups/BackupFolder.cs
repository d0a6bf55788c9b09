using Shepherd.Data;

namespace Shepherd.Operations.Backups;

/// <summary>Where backup files live: <c>Shepherd:Backups:Folder</c>, or <c>backups/</c> in the data folder.</summary>
public sealed record BackupFolder(string Path)
{
    public const string Extension = ".backup";

    public static BackupFolder From(IConfiguration configuration, DataFolder data) =>
        new(configuration["Shepherd:Backups:Folder"] is { Length: > 0 } configured ? System.IO.Path.GetFullPath(configured) : data.Backups);

    /// <summary>A name given on the command line: a path as is, or a bare file name inside this folder.</summary>
    public string Resolve(string file) =>
        File.Exists(file) || System.IO.Path.IsPathRooted(file) || file.Contains(System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? System.IO.Path.GetFullPath(file)
            : System.IO.Path.Combine(Path, file);

    /// <summary>The sidecar `verify` writes next to a backup with its last result.</summary>
    public static string VerificationFile(string backupFile) => backupFile + ".verified.json";
}
