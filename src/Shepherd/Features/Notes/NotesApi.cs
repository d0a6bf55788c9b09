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
        var result = await PersonNotes.CreateAsync(db, personId, request, user, clock, ct);
        if (result.Outcome != NoteOutcome.Done)
        {
            return result.Outcome == NoteOutcome.Invalid ? ApiResults.Invalid(result.Field!, result.Error!) : ApiResults.NotFound("Person", personId);
        }
        ETags.Set(http, result.Note!.Version);
        return TypedResults.Created($"/api/v1/notes/{result.Note.Id}", NoteResponse.From(result.Note));
    }

    private static async Task<Results<Ok<NoteResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, NoteRequest request, ShepherdDbContext db, ClaimsPrincipal user, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var result = await PersonNotes.UpdateAsync(db, id, request, user, clock, version => ETags.Matches(http.Request, version), ct);
        switch (result.Outcome)
        {
            case NoteOutcome.NotFound:
                return ApiResults.NotFound("Note", id);
            case NoteOutcome.NotTheAuthor:
                return OnlyTheAuthor("edit");
            case NoteOutcome.Stale:
                return ApiResults.PreconditionFailed();
            case NoteOutcome.Invalid:
                return ApiResults.Invalid(result.Field!, result.Error!);
        }
        ETags.Set(http, result.Note!.Version);
        return TypedResults.Ok(NoteResponse.From(result.Note));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, ShepherdDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        var result = await PersonNotes.DeleteAsync(db, id, user, ct);
        return result.Outcome switch
        {
            NoteOutcome.NotFound => ApiResults.NotFound("Note", id),
            NoteOutcome.NotTheAuthor => OnlyTheAuthor("delete"),
            _ => TypedResults.NoContent(),
        };
    }

    private static IQueryable<Note> VisibleTo(IQueryable<Note> notes, ClaimsPrincipal caller) => PersonNotes.VisibleTo(notes, caller);

    private static ProblemHttpResult OnlyTheAuthor(string action) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: $"Only the author of a note may {action} it.");
}
