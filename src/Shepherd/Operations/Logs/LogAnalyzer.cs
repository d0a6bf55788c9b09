namespace Shepherd.Operations.Logs;

/// <summary>
/// Reads Shepherd's CLEF log lines and counts what an operator asks first: how many requests, how many failed, which endpoints
/// are busy or slow, which errors repeat, who fails to sign in, and when 5xx came in bursts. Malformed lines are counted and skipped.
/// </summary>
public sealed class LogAnalyzer(LogAnalysisOptions options)
{
    private readonly Dictionary<string, List<double>> _durations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _endpointErrors = new(StringComparer.Ordinal);
    private readonly Dictionary<(string? Type, string? Template), (long Count, DateTimeOffset Last)> _errors = [];
    private readonly Dictionary<string, long> _failedSignIns = new(StringComparer.Ordinal);
    private readonly Dictionary<DateTimeOffset, long> _errorsPerMinute = [];
    private readonly List<SlowRequest> _slow = [];
    private long _lines;
    private long _malformed;
    private long _beforeSince;
    private long _requests;
    private long _serverErrors;

    public static async Task<LogReport> AnalyzeAsync(IReadOnlyList<string> files, LogAnalysisOptions options, CancellationToken cancellationToken)
    {
        var analyzer = new LogAnalyzer(options);
        foreach (var file in files)
        {
            await foreach (var text in LogFileSet.ReadLinesAsync(file, cancellationToken))
            {
                analyzer.Add(text);
            }
        }
        return analyzer.Report(files);
    }

    public void Add(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }
        _lines++;
        if (LogLine.Parse(text) is not { } line)
        {
            _malformed++;
            return;
        }
        if (line.Timestamp < options.Since)
        {
            _beforeSince++;
            return;
        }
        if (line.IsRequest)
        {
            AddRequest(line);
        }
        else if (line.IsError)
        {
            var key = (line.ExceptionType, line.Template);
            var (count, last) = _errors.GetValueOrDefault(key);
            _errors[key] = (count + 1, line.Timestamp > last ? line.Timestamp : last);
        }
        if (line.EventName == LogEventNames.SignInFailed)
        {
            var ip = line.ClientIp ?? "(unknown)";
            _failedSignIns[ip] = _failedSignIns.GetValueOrDefault(ip) + 1;
        }
    }

    private void AddRequest(LogLine line)
    {
        _requests++;
        var endpoint = $"{line.Method ?? "?"} {line.Endpoint ?? "?"}";
        var elapsed = line.ElapsedMilliseconds!.Value;
        if (!_durations.TryGetValue(endpoint, out var durations))
        {
            _durations[endpoint] = durations = [];
        }
        durations.Add(elapsed);
        if (line.StatusCode >= 500)
        {
            _serverErrors++;
            _endpointErrors[endpoint] = _endpointErrors.GetValueOrDefault(endpoint) + 1;
            var t = line.Timestamp;
            var minute = new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero);
            _errorsPerMinute[minute] = _errorsPerMinute.GetValueOrDefault(minute) + 1;
        }
        if (elapsed > options.SlowThreshold.TotalMilliseconds)
        {
            _slow.Add(new SlowRequest(line.Timestamp, endpoint, line.StatusCode!.Value, elapsed, line.TraceId));
        }
    }

    public LogReport Report(IReadOnlyList<string> files)
    {
        var endpoints = _durations
            .Select(d => new EndpointStats(d.Key, d.Value.Count, _endpointErrors.GetValueOrDefault(d.Key), P95(d.Value)))
            .ToList();
        return new LogReport(
            files,
            options.Since,
            _lines,
            _malformed,
            _beforeSince,
            _requests,
            _serverErrors,
            _requests == 0 ? 0 : Math.Round((double)_serverErrors / _requests, 4),
            [.. endpoints.OrderByDescending(e => e.Count).ThenBy(e => e.Endpoint, StringComparer.Ordinal).Take(options.Top)],
            [.. endpoints.OrderByDescending(e => e.P95Ms).ThenBy(e => e.Endpoint, StringComparer.Ordinal).Take(options.Top)],
            [.. _errors.OrderByDescending(e => e.Value.Count).ThenBy(e => e.Key.Type, StringComparer.Ordinal).ThenBy(e => e.Key.Template, StringComparer.Ordinal)
                .Take(options.Top).Select(e => new ErrorGroup(e.Key.Type, e.Key.Template, e.Value.Count, e.Value.Last))],
            options.SlowThreshold.TotalMilliseconds,
            _slow.Count,
            [.. _slow.OrderByDescending(s => s.ElapsedMs).ThenBy(s => s.Timestamp).Take(options.Top)],
            [.. _failedSignIns.OrderByDescending(f => f.Value).ThenBy(f => f.Key, StringComparer.Ordinal).Take(options.Top).Select(f => new FailedSignIns(f.Key, f.Value))],
            options.BurstThreshold,
            [.. _errorsPerMinute.Where(m => m.Value >= options.BurstThreshold).OrderBy(m => m.Key).Select(m => new ErrorBurst(m.Key, m.Value))]);
    }

    /// <summary>Nearest-rank 95th percentile: the smallest duration at least 95 % of requests did not exceed.</summary>
    private static double P95(List<double> durations)
    {
        durations.Sort();
        var rank = (int)Math.Ceiling(0.95 * durations.Count);
        return Math.Round(durations[Math.Max(rank, 1) - 1], 3);
    }
}
