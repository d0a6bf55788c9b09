using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Notes;
using Shepherd.Platform;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Notes;

/// <summary>
/// Pastoral notes about a person: /api/v1/people/{personId}/notes and /api/v1/notes/{id}.
/// A note marked authorOnly is invisible to everyone but its author (404, left out of lists);
/// only the author may edit or delete a note.
/// </summary>
/// <remarks>
/// Notes need the NotesRead permission (staff and administrators); <see cref="VisibleTo"/> narrows further by the note's
/// visibility and the caller's place in the pastoral team.
/// </remarks>
public static class NotesApi
{
    /// <summary>Matches the column length of Note.Text.</summary>
    public const int NoteMaxLength = 20_000;

    public static void MapNotesApi(this IEndpointRouteBuilder api)
    {
        var personNotes = api.MapGroup("/people/{personId:long}/notes").WithTags("Notes");
        personNotes.MapGet("/", ListAsync).RequirePermission(Permission.NotesRead);
        personNotes.MapPost("/", CreateAsync).RequirePermission(Permission.NotesWrite);

        var notes = api.MapGroup("/notes").WithTags("Notes");
        notes.MapGet("/{id:long}", GetAsync).RequirePermission(Permission.NotesRead);
        notes.MapPut("/{id:long}", UpdateAsync).RequirePermission(Permission.NotesWrite);
        notes.MapDelete("/{id:long}", DeleteAsync).RequirePermission(Permission.NotesWrite);
    }

    public sealed record NoteRequest
    {
        [Required, StringLength(NoteMaxLength, MinimumLength = 1)]
        public string? Text { get; init; }

        /// <summary>Who may read the note; staff when left out on creation, unchanged when left out on update.</summary>
        public NoteVisibility? Visibility { get; init; }

        /// <summary>The day the conversation happened; today when left out on creation, unchanged on update. Never in the future.</summary>
        public DateOnly? NoteDate { get; init; }
    }

    public sealed record NoteResponse(
        long Id, long PersonId, long? AuthorUserId, string AuthorName, NoteVisibility Visibility, string Text,
        DateOnly NoteDate, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version)
    {
        public static NoteResponse From(Note n) =>
            new(n.Id, n.PersonId, n.AuthorUserId, n.AuthorName, n.Visibility, n.Text, n.NoteDate, n.CreatedAt, n.UpdatedAt, n.Version);
    }

    private static async Task<Results<Ok<Page<NoteResponse>>, ProblemHttpResult>> ListAsync(
        long personId, [AsParameters] PageRequest page, ShepherdDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!await db.People.AnyAsync(p => p.Id == personId, ct))
        {
            return ApiResults.NotFound("Person", personId);
        }
        var query = VisibleTo(db.Notes.AsNoTracking(), user).Where(n => n.PersonId == personId);
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(n => n.NoteDate).ThenByDescending(n => n.Id)
            .Skip(page.Skip).Take(page.Size).ToListAsync(ct);
        return TypedResults.Ok(new Page<NoteResponse>([.. items.Select(NoteResponse.From)], page.Number, page.Size, total));
    }

    private static async Task<Results<Ok<NoteResponse>, ProblemHttpResult>> GetAsync(
        long id, ShepherdDbContext db, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        var note = await VisibleTo(db.Notes.AsNoTracking(), user).FirstOrDefaultAsync(n => n.Id == id, ct);
        if (note is null)
        {
            return ApiResults.NotFound("Note", id);
        }
        ETags.Set(http, note.Version);
        return TypedResults.Ok(NoteResponse.From(note));
    }

    private static async Task<Results<Created<NoteResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        long personId, NoteRequest request, ShepherdDbContext db, ClaimsPrincipal user, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (!await db.People.AnyAsync(p => p.Id == personId, ct))
        {
            return ApiResults.NotFound("Person", personId);
        }
        var today = await OrganizationCalendar.TodayAsync(db, clock, ct);
        if (request.NoteDate > today)
        {
            return ApiResults.Invalid("noteDate", "noteDate cannot be in the future.");
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
        ETags.Set(http, note.Version);
        return TypedResults.Created($"/api/v1/notes/{note.Id}", NoteResponse.From(note));
    }

    private static async Task<Results<Ok<NoteResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, NoteRequest request, ShepherdDbContext db, ClaimsPrincipal user, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var callerId = user.UserId();
        var note = await VisibleTo(db.Notes, user).FirstOrDefaultAsync(n => n.Id == id, ct);
        if (note is null)
        {
            return ApiResults.NotFound("Note", id);
        }
        if (note.AuthorUserId != callerId)
        {
            return OnlyTheAuthor("edit");
        }
        if (!ETags.Matches(http.Request, note.Version))
        {
            return ApiResults.PreconditionFailed();
        }
        if (request.NoteDate > await OrganizationCalendar.TodayAsync(db, clock, ct))
        {
            return ApiResults.Invalid("noteDate", "noteDate cannot be in the future.");
        }
        note.Text = request.Text!.Trim();
        note.Visibility = request.Visibility ?? note.Visibility;
        note.NoteDate = request.NoteDate ?? note.NoteDate;
        await db.SaveChangesAsync(ct);
        ETags.Set(http, note.Version);
        return TypedResults.Ok(NoteResponse.From(note));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, ShepherdDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        var callerId = user.UserId();
        var note = await VisibleTo(db.Notes, user).FirstOrDefaultAsync(n => n.Id == id, ct);
        if (note is null)
        {
            return ApiResults.NotFound("Note", id);
        }
        if (note.AuthorUserId != callerId)
        {
            return OnlyTheAuthor("delete");
        }
        db.Notes.Remove(note);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The notes the caller may read: their own, notes shared with staff, and notes shared with pastors when the caller is
    /// one of the pastoral team. Everyone reading here already has the NotesRead permission (staff and administrators).
    /// </summary>
    private static IQueryable<Note> VisibleTo(IQueryable<Note> notes, ClaimsPrincipal caller)
    {
        var callerId = caller.UserId();
        var pastoral = caller.HasClaim(ApiScopes.PastoralClaim, "true");
        return notes.Where(n => (callerId != null && n.AuthorUserId == callerId)
            || n.Visibility == NoteVisibility.Staff
            || (pastoral && n.Visibility == NoteVisibility.Pastors));
    }

    private static ProblemHttpResult OnlyTheAuthor(string action) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: $"Only the author of a note may {action} it.");
}
