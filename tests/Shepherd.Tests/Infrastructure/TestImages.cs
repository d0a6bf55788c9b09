using SkiaSharp;

namespace Shepherd.Tests.Infrastructure;

/// <summary>Real images of a given size and format, drawn for the photo tests (a gradient, so encoders have something to keep).</summary>
public static class TestImages
{
    public static byte[] Of(int width, int height, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint())
        {
            paint.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height), [SKColors.SteelBlue, SKColors.Gold], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, width, height, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }

    /// <summary>The width and height of encoded image bytes.</summary>
    public static (int Width, int Height) SizeOf(byte[] data)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(data));
        return (codec.Info.Width, codec.Info.Height);
    }
}
