using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Shepherd.Platform.Web;

/// <summary>One value at one time.</summary>
public readonly record struct ChartPoint(DateTimeOffset At, double Value);

public enum ChartKind
{
    Line,

    /// <summary>One bar per <see cref="SvgChart.Period"/> starting at each point's time.</summary>
    Bars,
}

/// <summary>
/// Server-rendered SVG charts (no script): a time axis, a value axis from zero to a round maximum, a line or bars, and a
/// title and description for screen readers. <see cref="ChartGeometry"/> holds the arithmetic, tested on its own.
/// </summary>
public sealed record SvgChart(string Id, string Title, string Unit, ChartKind Kind, DateTimeOffset From, DateTimeOffset To, TimeSpan Period)
{
    public const int Width = 640;
    public const int Height = 180;

    /// <summary>How many vertical grid lines (time labels) the axis gets.</summary>
    private const int TimeTicks = 4;

    public HtmlString Render(IReadOnlyList<ChartPoint> points, Func<double, string> format)
    {
        var geometry = new ChartGeometry(Width, Height, From, To, points.Count == 0 ? 0 : points.Max(p => p.Value));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"{Id}-title {Id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title id=\"{Id}-title\">{Encode(Title)}</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<desc id=\"{Id}-desc\">{Encode(Describe(points, format))}</desc>");

        foreach (var fraction in (double[])[0, 0.5, 1])
        {
            var y = geometry.Y(geometry.Max * fraction);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{N(geometry.Left)}\" x2=\"{N(geometry.Right)}\" y1=\"{N(y)}\" y2=\"{N(y)}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{N(geometry.Left - 6)}\" y=\"{N(y + 4)}\" text-anchor=\"end\">{Encode(format(geometry.Max * fraction))}</text>");
        }
        for (var i = 0; i <= TimeTicks; i++)
        {
            var at = From + ((To - From) * i / TimeTicks);
            var x = geometry.X(at);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"tick\" x1=\"{N(x)}\" x2=\"{N(x)}\" y1=\"{N(geometry.Bottom)}\" y2=\"{N(geometry.Bottom + 4)}\"/>");
            // The last label ends at the axis's end, inside the picture.
            var anchor = i == TimeTicks ? "end" : "middle";
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{N(x)}\" y=\"{N(geometry.Bottom + 18)}\" text-anchor=\"{anchor}\">{at.UtcDateTime:HH:mm}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis unit\" x=\"{N(geometry.Left)}\" y=\"10\">{Encode(Unit)}</text>");

        if (points.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"empty\" x=\"{N((geometry.Left + geometry.Right) / 2)}\" y=\"{N((geometry.Top + geometry.Bottom) / 2)}\" text-anchor=\"middle\">No data yet</text>");
        }
        else if (Kind == ChartKind.Bars)
        {
            foreach (var bar in geometry.Bars(points, Period))
            {
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{N(bar.X)}\" y=\"{N(bar.Y)}\" width=\"{N(bar.Width)}\" height=\"{N(bar.Height)}\"/>");
            }
        }
        else
        {
            svg.Append(CultureInfo.InvariantCulture, $"<path class=\"line\" d=\"{geometry.LinePath(points)}\"/>");
            if (points.Count == 1)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"dot\" cx=\"{N(geometry.X(points[0].At))}\" cy=\"{N(geometry.Y(points[0].Value))}\" r=\"3\"/>");
            }
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    private string Describe(IReadOnlyList<ChartPoint> points, Func<double, string> format)
    {
        var span = $"from {From.UtcDateTime:yyyy-MM-dd HH:mm} to {To.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
        if (points.Count == 0)
        {
            return $"{Title}, {span}: no data yet.";
        }
        var highest = points.MaxBy(p => p.Value);
        return $"{Title}, {span}, {points.Count} points: latest {format(points[^1].Value)} {Unit} at {points[^1].At.UtcDateTime:HH:mm}, "
            + $"highest {format(highest.Value)} {Unit} at {highest.At.UtcDateTime:HH:mm}.";
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    internal static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}

/// <summary>A bar's rectangle in chart coordinates.</summary>
public readonly record struct ChartBar(double X, double Y, double Width, double Height);

/// <summary>
/// Maps times and values to chart coordinates: time linearly across the plot, value from zero at the bottom to
/// <see cref="Max"/> (the data's maximum rounded up to 1, 2 or 5 times a power of ten; 1 when all is zero) at the top.
/// </summary>
public sealed class ChartGeometry(int width, int height, DateTimeOffset from, DateTimeOffset to, double dataMax)
{
    public double Left { get; } = 56;
    public double Right { get; } = width - 8;
    public double Top { get; } = 16;
    public double Bottom { get; } = height - 24;
    public double Max { get; } = NiceMax(dataMax);

    public static double NiceMax(double max)
    {
        if (!(max > 0) || double.IsInfinity(max))
        {
            return 1;
        }
        var power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var step in (double[])[1, 2, 5, 10])
        {
            if (step * power >= max)
            {
                return step * power;
            }
        }
        return 10 * power;
    }

    public double X(DateTimeOffset at)
    {
        var span = (to - from).TotalSeconds;
        var fraction = span <= 0 ? 1 : Math.Clamp((at - from).TotalSeconds / span, 0, 1);
        return Left + ((Right - Left) * fraction);
    }

    public double Y(double value)
    {
        var fraction = double.IsFinite(value) ? Math.Clamp(value / Max, 0, 1) : 0;
        return Bottom - ((Bottom - Top) * fraction);
    }

    public string LinePath(IReadOnlyList<ChartPoint> points)
    {
        var path = new StringBuilder();
        foreach (var point in points)
        {
            path.Append(path.Length == 0 ? "M" : " L").Append(SvgChart.N(X(point.At))).Append(',').Append(SvgChart.N(Y(point.Value)));
        }
        return path.ToString();
    }

    public IEnumerable<ChartBar> Bars(IReadOnlyList<ChartPoint> points, TimeSpan period)
    {
        foreach (var point in points)
        {
            var x = X(point.At);
            var width = Math.Max(1, X(point.At + period) - x - 1);
            var y = Y(point.Value);
            yield return new ChartBar(x, y, width, Bottom - y);
        }
    }
}
