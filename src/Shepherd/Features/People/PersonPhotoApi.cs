using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Shepherd.Data;
using Shepherd.Data.People;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.People;

/// <summary>A person's photo: GET and PUT /api/v1/people/{id}/photo with the raw image as the body.</summary>
public static class PersonPhotoApi
{
    public const int MaxBytes = PersonPhotoStore.MaxBytes;

    public static void MapPersonPhotoApi(this RouteGroupBuilder people)
    {
        people.MapGet("/{id:long}/photo", GetAsync).RequirePermission(Permission.PeopleRead);
        people.MapPut("/{id:long}/photo", UploadAsync).RequirePermission(Permission.PeopleWrite);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetAsync(long id, ShepherdDbContext db, CallerScope scope, CancellationToken ct)
    {
        if (scope.IsLimited && !await scope.People(db.People).AnyAsync(p => p.Id == id, ct))
        {
            return ApiResults.NotFound("Person", id);
        }
        var photo = await db.PersonPhotos.AsNoTracking().FirstOrDefaultAsync(p => p.PersonId == id, ct);
        if (photo is null)
        {
            return await db.People.AnyAsync(p => p.Id == id, ct)
                ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No photo", detail: $"Person {id} has no photo yet.")
                : ApiResults.NotFound("Person", id);
        }
        return TypedResults.File(photo.Data, photo.ContentType, lastModified: photo.UpdatedAt);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> UploadAsync(
        long id, HttpRequest request, ShepherdDbContext db, CallerScope scope, TimeProvider clock, CancellationToken ct)
    {
        var person = await scope.People(db.People).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (person is null)
        {
            return ApiResults.NotFound("Person", id);
        }
        var contentType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() : null;
        var (data, problem) = await PersonPhotoStore.ReadAsync(contentType, request.ContentLength, request.Body, ct);
        switch (problem)
        {
            case PhotoProblem.UnsupportedType:
                return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported photo type",
                    detail: "Send the photo as the request body with Content-Type image/jpeg, image/png or image/webp.");
            case PhotoProblem.TooLarge:
                return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Photo too large",
                    detail: PersonPhotoStore.Describe(problem, contentType));
            case PhotoProblem.Empty:
                return ApiResults.Invalid("body", "The request body is empty; send the image bytes.");
            case PhotoProblem.NotThatType:
                return ApiResults.Invalid("body", $"The body is not a {contentType![6..].ToUpperInvariant()} image.");
        }
        await PersonPhotoStore.PutAsync(db, person, contentType!, data!, clock.GetUtcNow(), ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
