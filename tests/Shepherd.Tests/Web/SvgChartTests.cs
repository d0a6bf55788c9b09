using System.Text.RegularExpressions;
using Shepherd.Platform.Web;
using Shouldly;

namespace Shepherd.Tests.Web;

/// <summary>The arithmetic of the server-rendered charts: scale, empty data, one point, all zeros.</summary>
public sealed partial class SvgChartTests
{
    private static readonly DateTimeOffset From = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = From.AddHours(24);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-5, 1)]
    [InlineData(double.NaN, 1)]
    [InlineData(0.3, 0.5)]
    [InlineData(1, 1)]
    [InlineData(7, 10)]
    [InlineData(120, 200)]
    [InlineData(4999, 5000)]
    public void The_value_axis_ends_at_a_round_number_at_or_above_the_maximum(double max, double expected) =>
        ChartGeometry.NiceMax(max).ShouldBe(expected, 1e-9);

    [Fact]
    public void Values_and_times_map_linearly_into_the_plot_area()
    {
        var geometry = new ChartGeometry(640, 180, From, To, 80);
        geometry.Max.ShouldBe(100);
        geometry.Y(0).ShouldBe(geometry.Bottom);
        geometry.Y(100).ShouldBe(geometry.Top);
        geometry.Y(50).ShouldBe((geometry.Top + geometry.Bottom) / 2, 1e-9);
        geometry.Y(1000).ShouldBe(geometry.Top, "clamped");
        geometry.X(From).ShouldBe(geometry.Left);
        geometry.X(To).ShouldBe(geometry.Right);
        geometry.X(From.AddHours(12)).ShouldBe((geometry.Left + geometry.Right) / 2, 1e-9);
        geometry.X(From.AddDays(-1)).ShouldBe(geometry.Left, "clamped");
    }

    [Fact]
    public void A_line_goes_through_every_point_in_order()
    {
        var geometry = new ChartGeometry(640, 180, From, To, 10);
        geometry.LinePath([new(From, 0), new(From.AddHours(12), 5), new(To, 10)])
            .ShouldBe($"M56,156 L{SvgChart.N((56 + 632) / 2.0)},{SvgChart.N((156 + 16) / 2.0)} L632,16");
    }

    [Fact]
    public void Bars_stand_on_the_axis_with_a_height_proportional_to_the_value()
    {
        var geometry = new ChartGeometry(640, 180, From, To, 20);
        var bars = geometry.Bars([new(From, 20), new(From.AddHours(1), 10)], TimeSpan.FromHours(1)).ToList();
        bars[0].Y.ShouldBe(geometry.Top);
        bars[0].Height.ShouldBe(geometry.Bottom - geometry.Top);
        bars[1].Height.ShouldBe((geometry.Bottom - geometry.Top) / 2, 1e-9);
        (bars[0].Y + bars[0].Height).ShouldBe(geometry.Bottom);
        bars[0].Width.ShouldBe(((geometry.Right - geometry.Left) / 24) - 1, 1e-9);
    }

    [Fact]
    public void Empty_data_draws_the_axes_and_says_so_in_the_picture_and_the_description()
    {
        var svg = Chart(ChartKind.Line).Render([], Format).Value!;
        svg.ShouldContain("No data yet");
        svg.ShouldNotContain("<path");
        svg.ShouldContain("<desc id=\"c-desc\">Latency, from 2025-03-01 00:00 to 2025-03-02 00:00 UTC: no data yet.</desc>");
        WellFormed(svg);
    }

    [Fact]
    public void A_single_point_is_drawn_as_a_dot()
    {
        var svg = Chart(ChartKind.Line).Render([new(From.AddHours(6), 42)], Format).Value!;
        svg.ShouldContain("<circle class=\"dot\"");
        svg.ShouldContain("latest 42 ms at 06:00, highest 42 ms at 06:00");
        WellFormed(svg);
    }

    [Fact]
    public void All_zero_values_lie_on_the_axis_without_dividing_by_zero()
    {
        var svg = Chart(ChartKind.Bars).Render([new(From, 0), new(From.AddHours(1), 0)], Format).Value!;
        svg.ShouldNotContain("NaN");
        svg.ShouldNotContain("Infinity");
        svg.ShouldContain("height=\"0\"");
        WellFormed(svg);
    }

    [Fact]
    public void Labels_are_escaped_and_numbers_are_invariant()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            var svg = new SvgChart("c", "<script>", "a&b", ChartKind.Line, From, To, TimeSpan.FromMinutes(5))
                .Render([new(From, 1.5), new(To, 3.25)], v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).Value!;
            svg.ShouldNotContain("<script>");
            svg.ShouldContain("&lt;script&gt;");
            NumberWithComma().IsMatch(svg).ShouldBeFalse(svg);
            WellFormed(svg);
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    private static SvgChart Chart(ChartKind kind) => new("c", "Latency", "ms", kind, From, To, TimeSpan.FromHours(1));

    private static string Format(double value) => value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);

    private static void WellFormed(string svg) => Should.NotThrow(() => System.Xml.Linq.XDocument.Parse(svg));

    [GeneratedRegex("=\"-?[0-9]+,[0-9]+\"")]
    private static partial Regex NumberWithComma();
}
