using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.People;

namespace Shepherd.Features.People;

public enum PhotoProblem { None, UnsupportedType, TooLarge, Empty, NotThatType }

/// <summary>
/// The checks a photo passes and its storage, for PUT /api/v1/people/{id}/photo and the profile page's upload alike:
/// JPEG, PNG or WebP by declared type, by its first bytes and by decoding, at most <see cref="MaxBytes"/>, read without
/// trusting a declared length; then scaled down when large (<see cref="PhotoResizer"/>).
/// </summary>
public static class PersonPhotoStore
{
    public const int MaxBytes = 5 * 1024 * 1024;

    public static readonly string[] Types = ["image/jpeg", "image/png", "image/webp"];

    /// <summary>The message for a refused photo, the same on the page and in the API's problem details.</summary>
    public static string Describe(PhotoProblem problem, string? contentType) => problem switch
    {
        PhotoProblem.UnsupportedType => "Send the photo as a JPEG, PNG or WebP image.",
        PhotoProblem.TooLarge => $"A photo can be at most {MaxBytes / 1024 / 1024} MB.",
        PhotoProblem.Empty => "The photo is empty; send the image bytes.",
        PhotoProblem.NotThatType => $"The file is not a {contentType?[6..].ToUpperInvariant()} image.",
        _ => "",
    };

    /// <summary>Reads and checks the image; the bytes when acceptable, else the problem (nothing is stored).</summary>
    public static async Task<(byte[]? Data, PhotoProblem Problem)> ReadAsync(string? contentType, long? declaredLength, Stream body, CancellationToken ct)
    {
        if (contentType is null || !Types.Contains(contentType, StringComparer.Ordinal))
        {
            return (null, PhotoProblem.UnsupportedType);
        }
        if (declaredLength > MaxBytes)
        {
            return (null, PhotoProblem.TooLarge);
        }
        var data = await ReadAtMostAsync(body, MaxBytes, ct);
        if (data is null)
        {
            return (null, PhotoProblem.TooLarge);
        }
        if (data.Length == 0)
        {
            return (null, PhotoProblem.Empty);
        }
        if (!ImageSignature.Matches(contentType, data))
        {
            return (null, PhotoProblem.NotThatType);
        }
        // A file that starts like an image but does not decode is refused as well: it could not be shown anyway.
        return PhotoResizer.Fit(data, contentType) is { } fitted ? (fitted, PhotoProblem.None) : (null, PhotoProblem.NotThatType);
    }

    /// <summary>Stores a checked photo as the person's (replacing any), stamping the person; the caller saves.</summary>
    public static async Task PutAsync(ShepherdDbContext db, Person person, string contentType, byte[] data, DateTimeOffset now, CancellationToken ct)
    {
        now = now.ToUniversalTime();
        var photo = await db.PersonPhotos.FirstOrDefaultAsync(p => p.PersonId == person.Id, ct);
        if (photo is null)
        {
            db.PersonPhotos.Add(new PersonPhoto { PersonId = person.Id, ContentType = contentType, Data = data, UpdatedAt = now });
        }
        else
        {
            photo.ContentType = contentType;
            photo.Data = data;
            photo.UpdatedAt = now;
        }
        person.PhotoUpdatedAt = now;
    }

    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/> (a missing or false length is not trusted).</summary>
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
