using System.Text.Json;
using System.Text.Json.Serialization;
using Shepherd.Data;

namespace Shepherd.Operations.Backups;

/// <summary>
/// What a backup holds and how to check it: stored as <c>manifest.json</c> next to the payload in the backup file.
/// A backup is whole-database, so row counts cover every organization.
/// </summary>
public sealed record BackupManifest(
    int FormatVersion,
    string ShepherdVersion,
    string SchemaVersion,
    DatabaseProvider Provider,
    DateTimeOffset CreatedAt,
    string? Label,
    string PayloadFile,
    string PayloadSha256,
    long PayloadSize,
    IReadOnlyDictionary<string, long> RowCounts)
{
    /// <summary>The only format this build writes and reads; a newer one is refused rather than misread.</summary>
    public const int CurrentFormatVersion = 1;

    public const string EntryName = "manifest.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a manifest; anything missing or malformed is an <see cref="InvalidDataException"/> naming the problem.</summary>
    public static BackupManifest Parse(string json)
    {
        BackupManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BackupManifest>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"manifest.json is not valid JSON ({e.Message})", e);
        }
        if (manifest is null)
        {
            throw new InvalidDataException("manifest.json is empty");
        }
        if (manifest.FormatVersion != CurrentFormatVersion)
        {
            throw new InvalidDataException(
                $"manifest format version {manifest.FormatVersion} is not supported by this Shepherd ({manifest.ShepherdVersion} wrote it; this build reads version {CurrentFormatVersion})");
        }
        if (string.IsNullOrEmpty(manifest.PayloadFile) || string.IsNullOrEmpty(manifest.PayloadSha256) || manifest.RowCounts is null)
        {
            throw new InvalidDataException("manifest.json lacks the payload file, its checksum or the row counts");
        }
        return manifest;
    }
}
