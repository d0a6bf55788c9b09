using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Notes;
using Shepherd.Features.Notes;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.People;

/// <summary>The note form: who may read it, the day it is about (today when left empty).</summary>
public sealed class NoteForm
{
    /// <summary>The note being edited (0 for a new one) and the version it was opened at.</summary>
    public long Id { get; set; }
    public int Version { get; set; }
    public string? Text { get; set; }
    public NoteVisibility Visibility { get; set; } = NoteVisibility.Staff;
    public DateOnly? NoteDate { get; set; }
}

/// <summary>Notes on the profile: add, and edit or delete one's own, with the rules of <see cref="PersonNotes"/>.</summary>
public sealed partial class PersonPageModel
{
    [BindProperty]
    public NoteForm NewNote { get; set; } = new();

    [BindProperty]
    public NoteForm EditNote { get; set; } = new();

    public async Task<IActionResult> OnPostAddNoteAsync(long id, CancellationToken ct)
    {
        if (!User.Has(Permission.NotesWrite))
        {
            return Forbid();
        }
        if (!await ReachableAsync(id, ct))
        {
            return NotFound();
        }
        var request = new NotesApi.NoteRequest { Text = NewNote.Text ?? "", Visibility = NewNote.Visibility, NoteDate = NewNote.NoteDate };
        var errors = await ApiValidation.ErrorsAsync(request, HttpContext.RequestServices, ct);
        if (errors.Count == 0)
        {
            var result = await PersonNotes.CreateAsync(db, id, request, User, clock, ct);
            if (result.Outcome == NoteOutcome.Invalid)
            {
                errors[result.Field!] = [result.Error!];
            }
        }
        if (errors.Count > 0)
        {
            ModelState.AddErrors(errors, "NewNote");
            return await ShowAsync(id, ct) ?? (IActionResult)NotFound();
        }
        TempData.Success("Note added.");
        return Redirect($"/people/{id}#notes");
    }

    public async Task<IActionResult> OnPostEditNoteAsync(long id, CancellationToken ct)
    {
        if (!User.Has(Permission.NotesWrite))
        {
            return Forbid();
        }
        if (!await ReachableAsync(id, ct) || !await db.Notes.AnyAsync(n => n.Id == EditNote.Id && n.PersonId == id, ct))
        {
            return NotFound();
        }
        var request = new NotesApi.NoteRequest { Text = EditNote.Text ?? "", Visibility = EditNote.Visibility, NoteDate = EditNote.NoteDate };
        var errors = await ApiValidation.ErrorsAsync(request, HttpContext.RequestServices, ct);
        if (errors.Count == 0)
        {
            var result = await PersonNotes.UpdateAsync(db, EditNote.Id, request, User, clock, version => version == EditNote.Version, ct);
            switch (result.Outcome)
            {
                case NoteOutcome.NotFound:
                    return NotFound();
                case NoteOutcome.NotTheAuthor:
                    return Forbid();
                case NoteOutcome.Stale:
                    errors["text"] = ["This note was changed since you opened it (in another window?). Your text is below: check the note, then save again."];
                    EditNote.Version = result.Note!.Version;
                    ModelState.Remove("EditNote.Version");
                    break;
                case NoteOutcome.Invalid:
                    errors[result.Field!] = [result.Error!];
                    break;
            }
        }
        if (errors.Count > 0)
        {
            ModelState.AddErrors(errors, "EditNote");
            return await ShowAsync(id, ct) ?? (IActionResult)NotFound();
        }
        TempData.Success("Note saved.");
        return Redirect($"/people/{id}#note-{EditNote.Id}");
    }

    public async Task<IActionResult> OnPostDeleteNoteAsync(long id, long noteId, CancellationToken ct)
    {
        if (!User.Has(Permission.NotesWrite))
        {
            return Forbid();
        }
        if (!await ReachableAsync(id, ct) || !await db.Notes.AnyAsync(n => n.Id == noteId && n.PersonId == id, ct))
        {
            return NotFound();
        }
        var result = await PersonNotes.DeleteAsync(db, noteId, User, ct);
        return result.Outcome switch
        {
            NoteOutcome.NotFound => NotFound(),
            NoteOutcome.NotTheAuthor => Forbid(),
            _ => Deleted(id),
        };
    }

    private RedirectResult Deleted(long id)
    {
        TempData.Success("Note deleted.");
        return Redirect($"/people/{id}#notes");
    }

    /// <summary>True when the caller wrote the note (only the author edits or deletes it).</summary>
    public bool IsAuthor(ProfileNote note) => note.AuthorUserId is { } author && author == User.UserId();
}
