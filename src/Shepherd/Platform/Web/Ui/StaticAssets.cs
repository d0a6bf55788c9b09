using Microsoft.Net.Http.Headers;

namespace Shepherd.Platform.Web.Ui;

/// <summary>
/// How the stylesheet, scripts and icons are cached. Pages link them with asp-append-version, which adds a hash of the
/// file (?v=…): such a link never changes meaning, so browsers keep it for a year; a new release links a new hash.
/// Anything asked for without the hash is revalidated every time.
/// </summary>
public static class StaticAssets
{
    public const string VersionKey = "v";

    public static StaticFileOptions Options() => new()
    {
        OnPrepareResponse = context =>
        {
            context.Context.Response.Headers[HeaderNames.CacheControl] = context.Context.Request.Query.ContainsKey(VersionKey)
                ? "public, max-age=31536000, immutable"
                : "no-cache";
        },
    };
}
