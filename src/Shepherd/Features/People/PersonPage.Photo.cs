using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.People;

/// <summary>The profile's photo upload (a multipart form), checked and stored as PUT /api/v1/people/{id}/photo does.</summary>
public sealed partial class PersonPageModel
{
    public async Task<IActionResult> OnPostPhotoAsync(long id, IFormFile? photo, CancellationToken ct)
    {
        if (!User.Has(Permission.PeopleWrite))
        {
            return Forbid();
        }
        var person = await CallerScope.For(User, db).People(db.People).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (person is null)
        {
            return NotFound();
        }
        if (photo is null || photo.Length == 0)
        {
            ModelState.AddModelError("photo", "Choose a photo to upload (JPEG, PNG or WebP, at most 5 MB).");
            return await ShowAsync(id, ct) ?? (IActionResult)NotFound();
        }
        var contentType = MediaTypeHeaderValue.TryParse(photo.ContentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() : null;
        await using var stream = photo.OpenReadStream();
        var (data, problem) = await PersonPhotoStore.ReadAsync(contentType, photo.Length, stream, ct);
        if (problem != PhotoProblem.None)
        {
            ModelState.AddModelError("photo", PersonPhotoStore.Describe(problem, contentType));
            return await ShowAsync(id, ct) ?? (IActionResult)NotFound();
        }
        await PersonPhotoStore.PutAsync(db, person, contentType!, data!, clock.GetUtcNow(), ct);
        await db.SaveChangesAsync(ct);
        TempData.Success("Photo saved.");
        return Redirect($"/people/{id}");
    }
}
