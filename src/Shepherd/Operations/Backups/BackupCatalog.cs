namespace Shepherd.Operations.Backups;

/// <summary>One file in the backup folder: its manifest, or why it could not be read, and its last verification.</summary>
public sealed record BackupEntry(string File, long Size, BackupManifest? Manifest, string? Unreadable, BackupVerification? Verification);

/// <summary>`backup list`: the backups in the folder, newest first. A damaged file is listed as unreadable, never fatal.</summary>
public sealed class BackupCatalog(BackupFolder folder)
{
    public async Task<IReadOnlyList<BackupEntry>> ListAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder.Path))
        {
            return [];
        }
        var entries = new List<BackupEntry>();
        // The name starts with the UTC creation time, so name order is time order even for unreadable files.
        foreach (var file in Directory.GetFiles(folder.Path, "*" + BackupFolder.Extension).OrderDescending(StringComparer.Ordinal))
        {
            var size = new FileInfo(file).Length;
            var verification = await BackupVerification.LoadAsync(file, cancellationToken);
            try
            {
                entries.Add(new BackupEntry(file, size, await BackupArchive.ReadManifestAsync(file, cancellationToken), null, verification));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                entries.Add(new BackupEntry(file, size, null, e.Message, verification));
            }
        }
        return entries;
    }
}
