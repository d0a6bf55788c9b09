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
    public const int MaxBytes = 5 * 1024 * 1024;

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
        if (contentType is not ("image/jpeg" or "image/png" or "image/webp"))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported photo type",
                detail: "Send the photo as the request body with Content-Type image/jpeg, image/png or image/webp.");
        }
        if (request.ContentLength > MaxBytes)
        {
            return TooLarge();
        }
        var data = await ReadAtMostAsync(request.Body, MaxBytes, ct);
        if (data is null)
        {
            return TooLarge();
        }
        if (data.Length == 0)
        {
            return ApiResults.Invalid("body", "The request body is empty; send the image bytes.");
        }
        if (!ImageSignature.Matches(contentType, data))
        {
            return ApiResults.Invalid("body", $"The body is not a {contentType[6..].ToUpperInvariant()} image.");
        }

        var now = clock.GetUtcNow().ToUniversalTime();
        var photo = await db.PersonPhotos.FirstOrDefaultAsync(p => p.PersonId == id, ct);
        if (photo is null)
        {
            db.PersonPhotos.Add(new PersonPhoto { PersonId = id, ContentType = contentType, Data = data, UpdatedAt = now });
        }
        else
        {
            photo.ContentType = contentType;
            photo.Data = data;
            photo.UpdatedAt = now;
        }
        person.PhotoUpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult TooLarge() =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Photo too large",
            detail: $"A photo can be at most {MaxBytes / 1024 / 1024} MB.");

    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/> (a missing or false Content-Length is not trusted).</summary>
    private static async Task<byte[]?> ReadAtMostAsync(Stream body, int limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}

/// <summary>The first bytes each accepted image format starts with, so a mislabeled upload is refused.</summary>
internal static class ImageSignature
{
    public static bool Matches(string contentType, ReadOnlySpan<byte> data) => contentType switch
    {
        "image/jpeg" => data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]),
        "image/png" => data.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        "image/webp" => data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8),
        _ => false,
    };
}
