using System.IO.Compression;
using System.Runtime.CompilerServices;

namespace Shepherd.Operations.Logs;

/// <summary>The log files to read: given paths, or every Shepherd log in the logs folder (rotated and gzipped ones too).</summary>
public static class LogFileSet
{
    public static IReadOnlyList<string> InFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }
        return [.. Directory.EnumerateFiles(folder, ShepherdLogging.FilePrefix + "*")
            .Where(f => f.EndsWith(ShepherdLogging.FileExtension, StringComparison.Ordinal)
                || f.EndsWith(ShepherdLogging.FileExtension + ".gz", StringComparison.Ordinal)
                // Files written before the .clef extension.
                || f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".json.gz", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Every line of a file; a .gz file is decompressed as it is read. The server may be writing the file meanwhile.</summary>
    public static async IAsyncEnumerable<string> ReadLinesAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: true);
        await using Stream content = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionMode.Decompress)
            : file;
        using var reader = new StreamReader(content);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            yield return line;
        }
    }
}
