namespace Shepherd.Operations.Backups;

/// <summary>
/// Copies a backup (and its verification record) to a second folder, e.g. a mounted NAS or cloud drive, under a
/// temporary name first and then renamed, so that folder never holds a half-copied file under a backup's name.
/// </summary>
public static class BackupCopy
{
    public static async Task<string> CopyAsync(string backupFile, string folder, CancellationToken cancellationToken)
    {
        // Not created when missing: an absent folder usually means the drive is not mounted, and creating it
        // would fill the local disk under the mount point instead.
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"the folder {folder} does not exist (is the drive mounted?)");
        }
        var destination = Path.Combine(folder, Path.GetFileName(backupFile));
        await CopyFileAsync(backupFile, destination, cancellationToken);
        var verification = BackupFolder.VerificationFile(backupFile);
        if (File.Exists(verification))
        {
            await CopyFileAsync(verification, BackupFolder.VerificationFile(destination), cancellationToken);
        }
        return destination;
    }

    private static async Task CopyFileAsync(string source, string destination, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(Path.GetDirectoryName(destination)!, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var from = File.OpenRead(source))
            await using (var to = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await from.CopyToAsync(to, cancellationToken);
                await to.FlushAsync(cancellationToken);
                to.Flush(flushToDisk: true);
            }
            File.Move(temp, destination, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
