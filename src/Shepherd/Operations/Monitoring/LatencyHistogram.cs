namespace Shepherd.Operations.Monitoring;

/// <summary>
/// Durations counted in fixed log-scale buckets, eight per doubling from 10 µs to about 2.8 minutes (192 buckets of 4 bytes,
/// whatever the number of values). A percentile is read as its bucket's geometric middle, so it is within ±4.5 % of the
/// exact value (and never above the largest value seen). Not thread-safe: the owner locks.
/// </summary>
public sealed class LatencyHistogram
{
    public const int BucketsPerDoubling = 8;
    public const int BucketCount = BucketsPerDoubling * 24;
    private const double SmallestMs = 0.01;

    /// <summary>The largest relative error of a percentile read from this histogram (half a bucket, geometrically).</summary>
    public static readonly double RelativeError = Math.Pow(2, 1.0 / (2 * BucketsPerDoubling)) - 1;

    private readonly int[] _buckets = new int[BucketCount];

    public long Count { get; private set; }

    public double SumMs { get; private set; }

    public double MaxMs { get; private set; }

    public double MeanMs => Count == 0 ? 0 : SumMs / Count;

    public void Record(double milliseconds)
    {
        var ms = double.IsFinite(milliseconds) && milliseconds > 0 ? milliseconds : 0;
        _buckets[BucketOf(ms)]++;
        Count++;
        SumMs += ms;
        MaxMs = Math.Max(MaxMs, ms);
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < BucketCount; i++)
        {
            _buckets[i] += other._buckets[i];
        }
        Count += other.Count;
        SumMs += other.SumMs;
        MaxMs = Math.Max(MaxMs, other.MaxMs);
    }

    /// <summary>The value below which a fraction <paramref name="quantile"/> (0–1) of the recorded durations fall; 0 when empty.</summary>
    public double Percentile(double quantile)
    {
        if (Count == 0)
        {
            return 0;
        }
        var rank = Math.Max(1, (long)Math.Ceiling(Math.Clamp(quantile, 0, 1) * Count));
        if (rank >= Count)
        {
            return MaxMs;
        }
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _buckets[i];
            if (seen >= rank)
            {
                return Math.Min(Middle(i), MaxMs);
            }
        }
        return MaxMs;
    }

    /// <summary>How many durations were above <paramref name="milliseconds"/> (to within a bucket: ±4.5 %).</summary>
    public long CountAbove(double milliseconds)
    {
        long above = 0;
        for (var i = BucketOf(milliseconds) + 1; i < BucketCount; i++)
        {
            above += _buckets[i];
        }
        return above;
    }

    private static int BucketOf(double ms) =>
        ms <= SmallestMs ? 0 : Math.Min(BucketCount - 1, (int)(Math.Log2(ms / SmallestMs) * BucketsPerDoubling));

    private static double Middle(int bucket) => SmallestMs * Math.Pow(2, (bucket + 0.5) / BucketsPerDoubling);
}
