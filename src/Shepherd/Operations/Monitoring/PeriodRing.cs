namespace Shepherd.Operations.Monitoring;

/// <summary>Latency and error counts of one key (a route, a query) in one period.</summary>
public sealed class StatsCell
{
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Server errors (HTTP 5xx, failed database commands).</summary>
    public long Errors { get; private set; }

    /// <summary>Requests refused as the client's fault (HTTP 4xx).</summary>
    public long ClientErrors { get; private set; }

    public void Record(double milliseconds, bool error, bool clientError = false)
    {
        Latency.Record(milliseconds);
        Errors += error ? 1 : 0;
        ClientErrors += clientError ? 1 : 0;
    }

    public void Add(StatsCell other)
    {
        Latency.Add(other.Latency);
        Errors += other.Errors;
        ClientErrors += other.ClientErrors;
    }
}

/// <summary>
/// Stats per key for each of the last <c>length</c> periods of a fixed width (e.g. 61 one-minute periods, 288 five-minute
/// ones); the oldest period is cleared and reused. Each period holds at most <c>maxKeys</c> keys, the rest counting together under
/// <see cref="OtherKey"/>, so memory is bounded by length × maxKeys cells however many requests or distinct keys come.
/// Not thread-safe: the owner locks.
/// </summary>
public sealed class PeriodRing(int length, TimeSpan width, int maxKeys)
{
    public const string OtherKey = "(other)";

    private readonly Period?[] _periods = new Period?[length];

    public TimeSpan Width { get; } = width;

    public long IndexOf(DateTimeOffset at) => at.UtcTicks / Width.Ticks;

    public DateTimeOffset StartOf(long index) => new(index * Width.Ticks, TimeSpan.Zero);

    public StatsCell Cell(DateTimeOffset at, string key)
    {
        var index = IndexOf(at);
        var slot = (int)(index % _periods.Length);
        var period = _periods[slot] ??= new Period();
        if (period.Index != index)
        {
            period.Index = index;
            period.Cells.Clear();
        }
        if (!period.Cells.TryGetValue(key, out var cell))
        {
            if (period.Cells.Count - (period.Cells.ContainsKey(OtherKey) ? 1 : 0) >= maxKeys && !period.Cells.TryGetValue(OtherKey, out cell))
            {
                cell = period.Cells[OtherKey] = new StatsCell();
            }
            cell ??= period.Cells[key] = new StatsCell();
        }
        return cell;
    }

    /// <summary>Each key's stats summed over the periods with index from <paramref name="first"/> to <paramref name="last"/>.</summary>
    public Dictionary<string, StatsCell> Sum(long first, long last)
    {
        var sum = new Dictionary<string, StatsCell>(StringComparer.Ordinal);
        foreach (var period in _periods)
        {
            if (period is null || period.Index < first || period.Index > last)
            {
                continue;
            }
            foreach (var (key, cell) in period.Cells)
            {
                if (!sum.TryGetValue(key, out var total))
                {
                    total = sum[key] = new StatsCell();
                }
                total.Add(cell);
            }
        }
        return sum;
    }

    /// <summary>The stats of one key in every period from <paramref name="first"/> on, oldest first (periods without it are left out).</summary>
    public IEnumerable<(long Index, StatsCell Cell)> History(string key, long first) =>
        _periods.Where(p => p is not null && p.Index >= first && p.Cells.ContainsKey(key))
            .Select(p => (p!.Index, p.Cells[key]))
            .OrderBy(p => p.Index)
            .ToList();

    private sealed class Period
    {
        public long Index { get; set; } = -1;

        public Dictionary<string, StatsCell> Cells { get; } = new(StringComparer.Ordinal);
    }
}
