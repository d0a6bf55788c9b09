using System.Text.Json;

namespace Shepherd.Operations.Backups;

/// <summary>One step of `backup verify` and what it found.</summary>
public sealed record VerificationCheck(string Name, bool Passed, string Detail);

/// <summary>
/// The outcome of verifying one backup, also written next to it as <c>&lt;file&gt;.verified.json</c> so `list`
/// can show which backups have been proven restorable.
/// </summary>
public sealed record BackupVerification(DateTimeOffset VerifiedAt, bool Passed, TimeSpan Duration, long Rows, IReadOnlyList<VerificationCheck> Checks)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task SaveAsync(string backupFile, CancellationToken cancellationToken) =>
        await File.WriteAllTextAsync(BackupFolder.VerificationFile(backupFile), JsonSerializer.Serialize(this, Json), cancellationToken);

    /// <summary>The recorded result for a backup, or null when it was never verified (or the record is unreadable).</summary>
    public static async Task<BackupVerification?> LoadAsync(string backupFile, CancellationToken cancellationToken)
    {
        var sidecar = BackupFolder.VerificationFile(backupFile);
        if (!File.Exists(sidecar))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<BackupVerification>(await File.ReadAllTextAsync(sidecar, cancellationToken), Json);
        }
        catch (JsonException)
        {
            return null; // a damaged record means "not known to be verified", which is what list should say
        }
    }
}
