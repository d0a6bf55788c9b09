using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Data.People;
using Shepherd.Platform.Accounts;

namespace Shepherd.Features.People;

public enum MergeOutcome { Previewed, Merged, SurvivorNotFound, DuplicateNotFound, Refused, Stale }

/// <summary>What a merge did or would do; <see cref="Preview"/> is set for Previewed and Merged, <see cref="Problem"/> otherwise.</summary>
public sealed record MergeResult(MergeOutcome Outcome, MergePreview? Preview = null, string? Problem = null);

/// <summary>
/// Merges a duplicate person record into the one that survives, in one transaction: the duplicate's attendance, family
/// and group memberships, badges, notes, custom field values, e-mails, phones, photo, pickup permissions and linked user
/// accounts move to the survivor; fields the survivor lacks are filled from the duplicate; where both hold the same thing
/// (the same service, family, group, field) the survivor's is kept and the preview says so. The duplicate is archived
/// with <see cref="Person.MergedIntoId"/> and both get a <see cref="AuditAction.Merged"/> audit entry.
/// <para>
/// The preview and the merge are the same computation (<see cref="MergePlan"/>): a dry run stops before applying it, so
/// what the preview promises is what the merge does. The API (POST /api/v1/people/{id}/merge) and the merge page both call
/// <see cref="RunAsync"/>.
/// </para>
/// </summary>
public static class PersonMerge
{
    /// <param name="versions">The versions the caller previewed (survivor, duplicate); a record changed since then answers Stale.</param>
    public static async Task<MergeResult> RunAsync(ShepherdDbContext db, long survivorId, long duplicateId, bool dryRun, CancellationToken ct,
        (int Survivor, int Duplicate)? versions = null)
    {
        if (survivorId == duplicateId)
        {
            return new MergeResult(MergeOutcome.Refused, Problem: "A person cannot be merged into themself: pick the other record.");
        }
        await using var transaction = dryRun ? null : await db.Database.BeginTransactionAsync(ct);
        var survivor = await LoadAsync(db, survivorId, ct);
        if (survivor is null)
        {
            return new MergeResult(MergeOutcome.SurvivorNotFound, Problem: NotFound(survivorId));
        }
        var duplicate = await LoadAsync(db, duplicateId, ct);
        if (duplicate is null)
        {
            return new MergeResult(MergeOutcome.DuplicateNotFound, Problem: NotFound(duplicateId));
        }
        if ((Refusal(survivor, "kept") ?? Refusal(duplicate, "merged")) is { } refusal)
        {
            return new MergeResult(MergeOutcome.Refused, Problem: refusal);
        }
        if (versions is { } v && (v.Survivor != survivor.Version || v.Duplicate != duplicate.Version))
        {
            return new MergeResult(MergeOutcome.Stale,
                Problem: "One of the two records was changed since the preview was made. Check the preview again, then merge.");
        }

        var plan = await MergePlan.BuildAsync(db, survivor, duplicate, ct);
        if (dryRun)
        {
            return new MergeResult(MergeOutcome.Previewed, plan.Preview(merged: false));
        }
        plan.Apply(db.Clock.GetUtcNow());
        var preview = plan.Preview(merged: true);
        AuditLog.Add(db, AuditAction.Merged, nameof(Person), Id(survivor.Id), new { duplicateId = duplicate.Id, moved = preview.Summary() });
        AuditLog.Add(db, AuditAction.Merged, nameof(Person), Id(duplicate.Id), new { mergedIntoId = survivor.Id });
        await db.SaveChangesAsync(ct);
        await transaction!.CommitAsync(ct);
        return new MergeResult(MergeOutcome.Merged, preview);
    }

    private static Task<Person?> LoadAsync(ShepherdDbContext db, long id, CancellationToken ct) =>
        db.People.Include(p => p.Emails).Include(p => p.Phones).Include(p => p.CustomFieldValues)
            .AsSplitQuery()
            .FirstOrDefaultAsync(p => p.Id == id, ct);

    private static string? Refusal(Person person, string role)
    {
        var name = PersonDetail.DisplayNameOf(person.FirstName, person.PreferredName, person.LastName);
        if (person.MergedIntoId is { } into)
        {
            return $"{name} was already merged into person {Id(into)}: merge with that record instead.";
        }
        if (person.ArchivedAt is not null)
        {
            return $"{name} is archived. Restore the record first if it should be {role}.";
        }
        return null;
    }

    private static string NotFound(long id) => $"There is no person with id {Id(id)} in your organization.";

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
