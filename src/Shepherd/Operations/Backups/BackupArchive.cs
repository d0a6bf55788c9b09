using System.IO.Compression;
using System.Security.Cryptography;

namespace Shepherd.Operations.Backups;

/// <summary>Reads and writes the one-file backup format: a ZIP with <c>manifest.json</c> and the payload.</summary>
public static class BackupArchive
{
    public static async Task WriteAsync(string file, BackupManifest manifest, string payloadPath, CompressionLevel payloadCompression, CancellationToken cancellationToken)
    {
        await using var zip = await ZipArchive.CreateAsync(File.Create(file), ZipArchiveMode.Create, leaveOpen: false, entryNameEncoding: null, cancellationToken);
        var manifestEntry = zip.CreateEntry(BackupManifest.EntryName, CompressionLevel.Optimal);
        await using (var writer = new StreamWriter(await manifestEntry.OpenAsync(cancellationToken)))
        {
            await writer.WriteAsync(manifest.ToJson());
        }
        var payloadEntry = zip.CreateEntry(manifest.PayloadFile, payloadCompression);
        await using var target = await payloadEntry.OpenAsync(cancellationToken);
        await using var source = File.OpenRead(payloadPath);
        await source.CopyToAsync(target, cancellationToken);
    }

    /// <summary>The manifest of a backup file; an unreadable file or manifest is an <see cref="InvalidDataException"/> naming why.</summary>
    public static async Task<BackupManifest> ReadManifestAsync(string file, CancellationToken cancellationToken)
    {
        await using var zip = await OpenAsync(file, cancellationToken);
        var entry = zip.GetEntry(BackupManifest.EntryName) ?? throw new InvalidDataException("the file has no manifest.json");
        using var reader = new StreamReader(await entry.OpenAsync(cancellationToken));
        return BackupManifest.Parse(await reader.ReadToEndAsync(cancellationToken));
    }

    /// <summary>Copies the payload out to <paramref name="destination"/> and returns its SHA-256 (lower-case hex) and size.</summary>
    public static async Task<(string Sha256, long Size)> ExtractPayloadAsync(string file, BackupManifest manifest, string destination, CancellationToken cancellationToken)
    {
        await using var zip = await OpenAsync(file, cancellationToken);
        var entry = zip.GetEntry(manifest.PayloadFile) ?? throw new InvalidDataException($"the payload {manifest.PayloadFile} named by the manifest is missing");
        await using var source = await entry.OpenAsync(cancellationToken);
        await using var target = File.Create(destination);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long size = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            size += read;
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), size);
    }

    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    private static async Task<ZipArchive> OpenAsync(string file, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"No backup file {file}. Run `shepherd backup list` to see the backups.", file);
        }
        try
        {
            return await ZipArchive.CreateAsync(File.OpenRead(file), ZipArchiveMode.Read, leaveOpen: false, entryNameEncoding: null, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"not a complete backup archive, truncated or corrupt ({e.Message})", e);
        }
    }
}
