using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Notes;
using Shepherd.Platform;
using Shepherd.Platform.Accounts;

namespace Shepherd.Features.Notes;

public enum NoteOutcome { Done, PersonNotFound, NotFound, NotTheAuthor, Stale, Invalid }

/// <summary>What a note change did: the note when done, the field errors when invalid.</summary>
public sealed record NoteResult(NoteOutcome Outcome, Note? Note = null, string? Field = null, string? Error = null);

/// <summary>
/// The rules of pastoral notes, for the API (NotesApi) and the profile page alike: who reads which note, that a note is
/// never dated in the future (in the organization's calendar), and that only its author changes or deletes it. The body's
/// own limits are the annotations of <see cref="NotesApi.NoteRequest"/>.
/// </summary>
public static class PersonNotes
{
    public const string FutureDate = "noteDate cannot be in the future.";

    /// <summary>
    /// The notes the caller may read: their own, notes shared with staff, and notes shared with pastors when the caller is
    /// one of the pastoral team. Everyone reading here already has the NotesRead permission (staff and administrators).
    /// </summary>
    public static IQueryable<Note> VisibleTo(IQueryable<Note> notes, ClaimsPrincipal caller)
    {
        var callerId = caller.UserId();
        var pastoral = caller.HasClaim(ApiScopes.PastoralClaim, "true");
        return notes.Where(n => (callerId != null && n.AuthorUserId == callerId)
            || n.Visibility == NoteVisibility.Staff
            || (pastoral && n.Visibility == NoteVisibility.Pastors));
    }

    public static async Task<NoteResult> CreateAsync(ShepherdDbContext db, long personId, NotesApi.NoteRequest request, ClaimsPrincipal user,
        TimeProvider clock, CancellationToken ct)
    {
        if (!await db.People.AnyAsync(p => p.Id == personId, ct))
        {
            return new NoteResult(NoteOutcome.PersonNotFound);
        }
        var today = await OrganizationCalendar.TodayAsync(db, clock, ct);
        if (request.NoteDate > today)
        {
            return new NoteResult(NoteOutcome.Invalid, Field: "noteDate", Error: FutureDate);
        }
        var note = new Note
        {
            PersonId = personId,
            AuthorUserId = user.UserId(),
            AuthorName = user.FindFirstValue(ClaimTypes.Name) ?? "unknown",
            Visibility = request.Visibility ?? NoteVisibility.Staff,
            Text = request.Text!.Trim(),
            NoteDate = request.NoteDate ?? today,
        };
        db.Notes.Add(note);
        await db.SaveChangesAsync(ct);
        return new NoteResult(NoteOutcome.Done, note);
    }

    /// <param name="versionMatches">Whether the version the caller edited is current (the API's If-Match).</param>
    public static async Task<NoteResult> UpdateAsync(ShepherdDbContext db, long id, NotesApi.NoteRequest request, ClaimsPrincipal user,
        TimeProvider clock, Func<int, bool> versionMatches, CancellationToken ct)
    {
        var note = await VisibleTo(db.Notes, user).FirstOrDefaultAsync(n => n.Id == id, ct);
        if (note is null)
        {
            return new NoteResult(NoteOutcome.NotFound);
        }
        if (note.AuthorUserId != user.UserId())
        {
            return new NoteResult(NoteOutcome.NotTheAuthor);
        }
        if (!versionMatches(note.Version))
        {
            return new NoteResult(NoteOutcome.Stale, note);
        }
        if (request.NoteDate > await OrganizationCalendar.TodayAsync(db, clock, ct))
        {
            return new NoteResult(NoteOutcome.Invalid, Field: "noteDate", Error: FutureDate);
        }
        note.Text = request.Text!.Trim();
        note.Visibility = request.Visibility ?? note.Visibility;
        note.NoteDate = request.NoteDate ?? note.NoteDate;
        await db.SaveChangesAsync(ct);
        return new NoteResult(NoteOutcome.Done, note);
    }

    public static async Task<NoteResult> DeleteAsync(ShepherdDbContext db, long id, ClaimsPrincipal user, CancellationToken ct)
    {
        var note = await VisibleTo(db.Notes, user).FirstOrDefaultAsync(n => n.Id == id, ct);
        if (note is null)
        {
            return new NoteResult(NoteOutcome.NotFound);
        }
        if (note.AuthorUserId != user.UserId())
        {
            return new NoteResult(NoteOutcome.NotTheAuthor);
        }
        db.Notes.Remove(note);
        await db.SaveChangesAsync(ct);
        return new NoteResult(NoteOutcome.Done, note);
    }
}
