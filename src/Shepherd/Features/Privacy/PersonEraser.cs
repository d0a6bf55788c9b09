using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Data.People;
using Shepherd.Features.Audit;
using Shepherd.Platform.Accounts;

namespace Shepherd.Features.Privacy;

public enum EraseOutcome { Erased, NotFound, AlreadyErased }

/// <summary>What an erasure removed, recorded (as counts only) in the Erased audit entry.</summary>
public sealed record EraseSummary(
    int Emails, int Phones, int CustomFieldValues, int Notes, int Badges, int FamilyMemberships, int GroupMemberships,
    int AuthorizedPickups, bool Photo, int AttendanceKept, int AuditEntriesRedacted);

/// <summary>
/// Erases a person on request (GDPR art. 17, CCPA right to delete) by anonymizing them in one transaction. The person
/// row stays, named "Erased person {id}", so attendance rows keep pointing at it and every count and statistic stays
/// right; everything that identifies them is deleted or blanked, and their values in earlier audit entries are redacted.
/// </summary>
public static class PersonEraser
{
    public const string ErasedFirstName = "Erased";

    public static string ErasedLastName(long id) => "person " + id.ToString(CultureInfo.InvariantCulture);

    public const string ConfirmMessage = "Type the person's full name (first and last name) to confirm: erasing cannot be undone.";

    /// <summary>The full name typed again against accidents: "first last" or "preferred last", any case and spacing.</summary>
    public static bool Confirms(string firstName, string? preferredName, string lastName, string? confirm)
    {
        var names = new[] { $"{firstName} {lastName}", $"{preferredName ?? firstName} {lastName}" };
        return confirm is not null && names.Any(n => string.Equals(Normalize(n), Normalize(confirm), StringComparison.OrdinalIgnoreCase));
    }

    private static string Normalize(string name) => string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// Anonymizes person <paramref name="id"/> of the context's organization. The context's actor is recorded; the
    /// caller's context must have no other pending changes.
    /// </summary>
    public static async Task<(EraseOutcome Outcome, EraseSummary? Summary)> EraseAsync(ShepherdDbContext db, long id, CancellationToken ct)
    {
        var now = db.Clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var person = await db.People
            .Include(p => p.Emails).Include(p => p.Phones).Include(p => p.CustomFieldValues)
            .AsSplitQuery()
            .FirstOrDefaultAsync(p => p.Id == id, ct);
        if (person is null)
        {
            return (EraseOutcome.NotFound, null);
        }
        if (person.ErasedAt is not null)
        {
            return (EraseOutcome.AlreadyErased, null);
        }
        var identifiers = IdentifiersOf(person);

        var notes = await db.Notes.Where(n => n.PersonId == id).ToListAsync(ct);
        var badges = await db.Badges.Where(b => b.PersonId == id).ToListAsync(ct);
        var families = await db.FamilyMembers.Where(m => m.PersonId == id).ToListAsync(ct);
        var groups = await db.GroupMembers.Where(m => m.PersonId == id).ToListAsync(ct);
        var pickups = await db.AuthorizedPickups.Where(a => a.PersonId == id).ToListAsync(ct);
        var photo = await db.PersonPhotos.FirstOrDefaultAsync(p => p.PersonId == id, ct);
        var summary = new EraseSummary(person.Emails.Count, person.Phones.Count, person.CustomFieldValues.Count, notes.Count, badges.Count,
            families.Count, groups.Count, pickups.Count, photo is not null, await db.Attendance.CountAsync(a => a.PersonId == id, ct), 0);

        db.Notes.RemoveRange(notes);
        db.Badges.RemoveRange(badges);
        db.FamilyMembers.RemoveRange(families);
        db.GroupMembers.RemoveRange(groups);
        db.AuthorizedPickups.RemoveRange(pickups);
        if (photo is not null)
        {
            db.PersonPhotos.Remove(photo);
        }
        person.FirstName = ErasedFirstName;
        person.LastName = ErasedLastName(id);
        person.MiddleName = null;
        person.PreferredName = null;
        person.Suffix = null;
        person.Emails.Clear();
        person.Phones.Clear();
        person.CustomFieldValues.Clear();
        person.Address = new();
        person.BirthDate = null;
        person.JoinDate = null;
        person.Gender = Gender.Unknown;
        person.MedicalNote = null;
        person.PhotoUpdatedAt = null;
        person.Consent = new();
        person.Active = false;
        person.ArchivedAt ??= now;
        person.ErasedAt = now;
        person.RefreshSearchColumns();
        await db.SaveChangesAsync(ct);

        // Other people's attendance may name the erased person as the adult who collected a child.
        foreach (var name in identifiers)
        {
            await db.Attendance.Where(a => a.PickedUpBy != null && a.PickedUpBy == name)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.PickedUpBy, "Erased person"), ct);
        }
        // A user account linked to this person record keeps working, without the link.
        await db.Memberships.Where(m => m.PersonId == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.PersonId, (long?)null), ct);

        var redacted = await PersonAuditTrail.RedactAsync(db, id, identifiers, ct);
        summary = summary with { AuditEntriesRedacted = redacted };
        AuditLog.Add(db, AuditAction.Erased, nameof(Person), id.ToString(CultureInfo.InvariantCulture), summary);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (EraseOutcome.Erased, summary);
    }

    /// <summary>The values that identify the person wherever they were copied: names as written together, e-mails, phones.</summary>
    private static List<string> IdentifiersOf(Person person)
    {
        var values = new List<string?>
        {
            $"{person.FirstName} {person.LastName}",
            $"{person.PreferredName ?? person.FirstName} {person.LastName}",
            string.Join(' ', new[] { person.FirstName, person.MiddleName, person.LastName }.Where(s => !string.IsNullOrWhiteSpace(s))),
            person.Email,
        };
        values.AddRange(person.Emails.Select(e => e.Address));
        values.AddRange(person.Phones.Select(p => p.Number));
        values.AddRange(person.Phones.Select(p => p.Digits).Where(d => d.Length >= 6));
        return [.. values.Where(v => !string.IsNullOrWhiteSpace(v) && v.Length >= 3).Select(v => v!).Distinct(StringComparer.OrdinalIgnoreCase)];
    }
}
