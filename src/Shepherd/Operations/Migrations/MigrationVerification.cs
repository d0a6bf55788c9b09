namespace Shepherd.Operations.Migrations;

/// <summary>
/// `migrate verify`: is every applied migration still the one this build would apply? An edited migration
/// (its SQL's checksum differs from the recorded one) or an applied migration missing from the build is an error;
/// an applied migration without a recorded checksum (applied before checksums were kept) is only a warning.
/// </summary>
public sealed record MigrationVerification(IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings, int Checked)
{
    public bool Ok => Errors.Count == 0;

    public static MigrationVerification Of(MigrationStatus status)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        var applied = status.Migrations.Where(m => m.Applied).ToList();
        foreach (var migration in applied)
        {
            if (!migration.InBuild)
            {
                errors.Add($"Applied migration {migration.Id} is not in this build (was it deleted or is this an older release?).");
            }
            else if (migration.Recorded is null)
            {
                warnings.Add($"Applied migration {migration.Id} has no checksum recorded (applied before checksums were kept); it cannot be verified.");
            }
            else if (migration.Drifted)
            {
                errors.Add($"Migration {migration.Id} was edited after it was applied: checksum recorded {migration.Recorded.Checksum}, " +
                    $"this build's SQL has {migration.Checksum}.");
            }
        }
        return new MigrationVerification(errors, warnings, applied.Count);
    }
}
