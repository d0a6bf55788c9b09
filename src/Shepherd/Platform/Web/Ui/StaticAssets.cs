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

    private static readonly string[] Folders = ["/css", "/js"];

    /// <summary>
    /// A request for the stylesheet or a script. Only these are compressed: they hold no secret, whereas compressing
    /// pages that carry antiforgery tokens beside text an attacker can echo would open them to BREACH.
    /// </summary>
    public static bool IsAsset(HttpContext context) => Folders.Any(f => context.Request.Path.StartsWithSegments(f, StringComparison.OrdinalIgnoreCase));

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
