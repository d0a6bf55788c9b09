using Shepherd.Operations.Monitoring;
using Shouldly;

namespace Shepherd.Tests.Monitoring;

/// <summary>The fixed-size histogram behind every percentile the monitoring API reports, and the bounded period ring.</summary>
public sealed class LatencyHistogramTests
{
    [Theory]
    [InlineData(0.50)]
    [InlineData(0.90)]
    [InlineData(0.95)]
    [InlineData(0.99)]
    [InlineData(0.999)]
    public void Percentiles_of_a_log_normal_distribution_are_within_the_bucket_error_of_the_exact_value(double quantile)
    {
        var random = new Random(42);
        var values = Enumerable.Range(0, 50_000)
            .Select(_ => Math.Exp(Math.Log(20) + (Gaussian(random) * 1.2))) // median 20 ms, long tail
            .ToArray();
        var histogram = new LatencyHistogram();
        foreach (var value in values)
        {
            histogram.Record(value);
        }
        Array.Sort(values);
        var exact = values[(int)Math.Ceiling(quantile * values.Length) - 1];

        var estimate = histogram.Percentile(quantile);

        Math.Abs(estimate - exact).ShouldBeLessThanOrEqualTo(exact * LatencyHistogram.RelativeError * 1.0001, $"p{quantile * 100}: exact {exact} ms");
        histogram.Count.ShouldBe(values.Length);
        histogram.MaxMs.ShouldBe(values[^1]);
        histogram.MeanMs.ShouldBe(values.Average(), values.Average() * 1e-9);
    }

    [Fact]
    public void The_bucket_error_is_under_five_percent()
    {
        LatencyHistogram.RelativeError.ShouldBeLessThan(0.05);
    }

    [Fact]
    public void An_empty_histogram_reports_zero_and_a_single_value_reports_itself()
    {
        var histogram = new LatencyHistogram();
        histogram.Percentile(0.99).ShouldBe(0);
        histogram.MeanMs.ShouldBe(0);

        histogram.Record(250);

        histogram.Percentile(0.5).ShouldBe(250, 250 * LatencyHistogram.RelativeError);
        histogram.Percentile(1).ShouldBe(250);
    }

    [Fact]
    public void Values_beyond_the_range_and_nonsense_are_counted_without_failing()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);
        histogram.Record(double.NaN);
        histogram.Record(0.000_001);
        histogram.Record(10_000_000); // almost three hours

        histogram.Count.ShouldBe(4);
        histogram.Percentile(0.25).ShouldBeLessThan(0.02);
        histogram.Percentile(1).ShouldBe(10_000_000);
    }

    [Fact]
    public void Adding_histograms_gives_the_percentiles_of_all_their_values()
    {
        var fast = new LatencyHistogram();
        var slow = new LatencyHistogram();
        for (var i = 0; i < 90; i++)
        {
            fast.Record(10);
        }
        for (var i = 0; i < 10; i++)
        {
            slow.Record(1000);
        }

        fast.Add(slow);

        fast.Count.ShouldBe(100);
        fast.Percentile(0.9).ShouldBe(10, 10 * LatencyHistogram.RelativeError);
        fast.Percentile(0.91).ShouldBe(1000, 1000 * LatencyHistogram.RelativeError);
    }

    [Fact]
    public void A_period_keeps_at_most_its_key_limit_and_counts_the_rest_as_other()
    {
        var ring = new PeriodRing(3, TimeSpan.FromMinutes(1), maxKeys: 10);
        var at = new DateTimeOffset(2026, 11, 25, 10, 0, 30, TimeSpan.Zero);
        for (var i = 0; i < 1000; i++)
        {
            ring.Cell(at, $"query {i}").Record(1, error: false);
        }

        var sums = ring.Sum(ring.IndexOf(at), ring.IndexOf(at));

        sums.Count.ShouldBe(11);
        sums[PeriodRing.OtherKey].Latency.Count.ShouldBe(990);
        sums.Values.Sum(c => c.Latency.Count).ShouldBe(1000);
    }

    [Fact]
    public void A_period_is_reused_for_a_later_one_and_forgets_the_old_counts()
    {
        var ring = new PeriodRing(3, TimeSpan.FromMinutes(1), maxKeys: 10);
        var first = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        ring.Cell(first, "GET /").Record(5, error: true);
        ring.Cell(first.AddMinutes(1), "GET /").Record(5, error: false);

        var later = first.AddMinutes(3); // the same slot as the first minute
        ring.Cell(later, "GET /").Record(7, error: false);

        var all = ring.Sum(0, long.MaxValue);
        all["GET /"].Latency.Count.ShouldBe(2);
        all["GET /"].Errors.ShouldBe(0);
        ring.History("GET /", 0).Select(p => ring.StartOf(p.Index)).ShouldBe([first.AddMinutes(1), later]);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
