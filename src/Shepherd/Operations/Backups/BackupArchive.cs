using System.IO.Compression;
using System.Security.Cryptography;
using Shepherd.Cli;

namespace Shepherd.Operations.Backups;

/// <summary>Reads and writes the one-file backup format: a ZIP with <c>manifest.json</c> and the payload.</summary>
public static class BackupArchive
{
    /// <summary>
    /// Writes the payload, hashing it on the way, then the manifest made from its SHA-256 and size: one pass over
    /// the payload. <paramref name="step"/> advances by the payload's bytes.
    /// </summary>
    public static async Task<BackupManifest> WriteAsync(
        string file, string payloadPath, string payloadName, Func<string, long, BackupManifest> manifestFor, CompressionLevel payloadCompression,
        IProgressStep step, CancellationToken cancellationToken)
    {
        await using var zip = await ZipArchive.CreateAsync(File.Create(file), ZipArchiveMode.Create, leaveOpen: false, entryNameEncoding: null, cancellationToken);
        string sha256;
        long size;
        await using (var target = await zip.CreateEntry(payloadName, payloadCompression).OpenAsync(cancellationToken))
        await using (var source = File.OpenRead(payloadPath))
        {
            (sha256, size) = await CopyHashingAsync(source, target, step, cancellationToken);
        }
        var manifest = manifestFor(sha256, size);
        await using (var writer = new StreamWriter(await zip.CreateEntry(BackupManifest.EntryName, CompressionLevel.Optimal).OpenAsync(cancellationToken)))
        {
            await writer.WriteAsync(manifest.ToJson());
        }
        return manifest;
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
    public static async Task<(string Sha256, long Size)> ExtractPayloadAsync(
        string file, BackupManifest manifest, string destination, CancellationToken cancellationToken, IProgressStep? step = null)
    {
        await using var zip = await OpenAsync(file, cancellationToken);
        var entry = zip.GetEntry(manifest.PayloadFile) ?? throw new InvalidDataException($"the payload {manifest.PayloadFile} named by the manifest is missing");
        await using var source = await entry.OpenAsync(cancellationToken);
        await using var target = File.Create(destination);
        return await CopyHashingAsync(source, target, step ?? CliProgress.Silent.Step("", 1), cancellationToken);
    }

    private static async Task<(string Sha256, long Size)> CopyHashingAsync(Stream source, Stream target, IProgressStep step, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long size = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            size += read;
            step.Advance(read);
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
