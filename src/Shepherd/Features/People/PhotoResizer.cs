using SkiaSharp;

namespace Shepherd.Features.People;

/// <summary>
/// Keeps stored photos small: an image whose longer side is over <see cref="MaxSide"/> pixels is scaled down and encoded
/// again in its own format (which also drops its metadata, such as where it was taken); one the camera stored rotated is
/// turned upright. Smaller, upright images are kept byte for byte. Bytes that do not decode as an image are refused.
/// </summary>
public static class PhotoResizer
{
    /// <summary>Big enough for a profile at twice the pixel density of the page, small enough for an old phone.</summary>
    public const int MaxSide = 800;

    private const int Quality = 85;

    /// <summary>The bytes to store, or null when <paramref name="data"/> is not an image Shepherd can read.</summary>
    public static byte[]? Fit(byte[] data, string contentType)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(data));
        if (codec is null)
        {
            return null;
        }
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        var origin = codec.EncodedOrigin;
        if (width <= MaxSide && height <= MaxSide && origin == SKEncodedOrigin.TopLeft)
        {
            return data;
        }
        using var decoded = SKBitmap.Decode(codec);
        if (decoded is null)
        {
            return null;
        }
        var scale = Math.Min(1.0, MaxSide / (double)Math.Max(width, height));
        var (w, h) = (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
        using var resized = decoded.Resize(new SKImageInfo(w, h, decoded.ColorType, decoded.AlphaType), new SKSamplingOptions(SKCubicResampler.Mitchell));
        if (resized is null)
        {
            return null;
        }
        using var upright = Upright(resized, origin);
        using var image = SKImage.FromBitmap(upright);
        using var encoded = image.Encode(FormatOf(contentType), Quality);
        return encoded?.ToArray();
    }

    /// <summary>Draws the bitmap as the camera meant it to be seen (EXIF orientation), so nothing depends on the lost metadata.</summary>
    private static SKBitmap Upright(SKBitmap source, SKEncodedOrigin origin)
    {
        var (w, h) = (source.Width, source.Height);
        var swaps = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        // x' = ScaleX·x + SkewX·y + TransX, y' = SkewY·x + ScaleY·y + TransY, for each of the eight EXIF orientations.
        var matrix = origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
            SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
            _ => SKMatrix.Identity,
        };
        var result = new SKBitmap(new SKImageInfo(swaps ? h : w, swaps ? w : h, source.ColorType, source.AlphaType));
        using var canvas = new SKCanvas(result);
        canvas.SetMatrix(matrix);
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest));
        return result;
    }

    private static SKEncodedImageFormat FormatOf(string contentType) => contentType switch
    {
        "image/png" => SKEncodedImageFormat.Png,
        "image/webp" => SKEncodedImageFormat.Webp,
        _ => SKEncodedImageFormat.Jpeg,
    };
}
