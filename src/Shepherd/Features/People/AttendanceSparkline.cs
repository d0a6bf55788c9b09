using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Shepherd.Features.People;

/// <summary>
/// A person's attendance over the last weeks as a small server-rendered SVG bar chart: one bar per week (its height the
/// services attended), a baseline mark for weeks without any, and a title and description that say the same in words.
/// </summary>
public static class AttendanceSparkline
{
    private const int BarWidth = 4;
    private const int Gap = 1;
    private const int Height = 36;

    public static HtmlString Render(string id, IReadOnlyList<int> weeklyCounts)
    {
        var width = weeklyCounts.Count * (BarWidth + Gap);
        var max = Math.Max(weeklyCounts.DefaultIfEmpty(0).Max(), 1);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"attendance-spark\" id=\"{id}\" viewBox=\"0 0 {width} {Height}\" width=\"{width}\" height=\"{Height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">Attendance, last {weeklyCounts.Count} weeks</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<desc id=\"{id}-desc\">{WebUtility.HtmlEncode(Describe(weeklyCounts))}</desc>");
        for (var i = 0; i < weeklyCounts.Count; i++)
        {
            var x = i * (BarWidth + Gap);
            if (weeklyCounts[i] == 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"none\" x=\"{x}\" y=\"{Height - 1}\" width=\"{BarWidth}\" height=\"1\"/>");
                continue;
            }
            var height = Math.Max(3, (int)Math.Round((Height - 2) * weeklyCounts[i] / (double)max));
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{x}\" y=\"{Height - height}\" width=\"{BarWidth}\" height=\"{height}\"/>");
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    /// <summary>"12 services in the last 52 weeks, in 10 of the weeks." The chart's numbers in one sentence.</summary>
    public static string Describe(IReadOnlyList<int> weeklyCounts)
    {
        var total = weeklyCounts.Sum();
        var weeks = weeklyCounts.Count(c => c > 0);
        return total == 0
            ? $"No attendance in the last {weeklyCounts.Count} weeks."
            : $"{total} {(total == 1 ? "service" : "services")} in the last {weeklyCounts.Count} weeks, in {weeks} of the weeks.";
    }
}
