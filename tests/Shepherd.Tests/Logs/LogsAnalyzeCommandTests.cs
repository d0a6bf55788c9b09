using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Logs;

/// <summary>
/// `shepherd logs analyze` over a log the test writes itself (a current file, a gzipped rotation, malformed lines, lines
/// older than --since), so every count in the --json output is known exactly.
/// </summary>
public sealed class LogsAnalyzeCommandTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "shepherd-logs-tests", Guid.NewGuid().ToString("N"));
    private readonly DateTimeOffset _minute;

    public LogsAnalyzeCommandTests()
    {
        Directory.CreateDirectory(Logs);
        var now = TimeProvider.System.GetUtcNow();
        // Half an hour ago, at the start of a minute: every generated line but the old ones falls inside --since 1h.
        _minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(-30);
    }

    private string Logs => Path.Combine(_data, "logs");

    private Dictionary<string, string?> Environment => new() { ["Shepherd__DataFolder"] = _data };

    [Fact]
    public async Task Analyze_counts_requests_errors_endpoints_slow_requests_sign_in_failures_and_bursts_exactly()
    {
        await WriteGeneratedLogsAsync();

        var result = await ShepherdProcess.RunAsync(Environment, "logs", "analyze", "--since", "1h", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        var report = JsonNode.Parse(result.Stdout)!.AsObject();
        report["files"]!.AsArray().Count.ShouldBe(2);
        report["lines"]!.GetValue<long>().ShouldBe(62);
        report["malformedLines"]!.GetValue<long>().ShouldBe(5);
        report["linesBeforeSince"]!.GetValue<long>().ShouldBe(3);
        report["requests"]!.GetValue<long>().ShouldBe(42);
        report["serverErrors"]!.GetValue<long>().ShouldBe(8);
        report["errorRate"]!.GetValue<double>().ShouldBe(0.1905);
        Rows(report, "topEndpointsByCount", "endpoint", "count").ShouldBe(
            ["GET /api/v1/people=30", "POST /api/v1/people=7", "GET /api/v1/people/{id}=3", "GET /api/health=2"]);
        Rows(report, "topEndpointsByP95", "endpoint", "p95Ms").ShouldBe(
            ["GET /api/v1/people/{id}=3000", "POST /api/v1/people=1500", "GET /api/v1/people=190", "GET /api/health=1"]);
        Rows(report, "errorGroups", "exceptionType", "count").ShouldBe(
            ["System.InvalidOperationException=3", "=1", "Npgsql.NpgsqlException=1"]);
        report["errorGroups"]![0]!["messageTemplate"]!.GetValue<string>().ShouldBe("Unhandled error on {Method} {Path}");
        report["errorGroups"]![1]!["messageTemplate"]!.GetValue<string>().ShouldBe("Host terminated unexpectedly");
        report["slowRequestCount"]!.GetValue<long>().ShouldBe(3);
        Rows(report, "slowestRequests", "endpoint", "elapsedMs").ShouldBe(
            ["GET /api/v1/people/{id}=3000", "GET /api/v1/people/{id}=2000", "POST /api/v1/people=1500"]);
        Rows(report, "failedSignInsByIp", "ip", "count").ShouldBe(["10.0.0.1=4", "10.0.0.2=1"]);
        Rows(report, "serverErrorBursts", "minute", "serverErrors").ShouldBe([$"{Minute(_minute)}=6"]);
    }

    [Fact]
    public async Task Without_since_every_line_counts_and_file_limits_the_analysis_to_the_files_named()
    {
        await WriteGeneratedLogsAsync();

        var all = await ShepherdProcess.RunAsync(Environment, "logs", "analyze", "--json");
        var onlyRotated = await ShepherdProcess.RunAsync(Environment, "logs", "analyze", "--json", "--file", Path.Combine(Logs, "shepherd-20251231.clef.gz"));

        all.ExitCode.ShouldBe(0, all.ToString());
        var report = JsonNode.Parse(all.Stdout)!;
        report["requests"]!.GetValue<long>().ShouldBe(45);
        report["serverErrors"]!.GetValue<long>().ShouldBe(11);
        report["linesBeforeSince"]!.GetValue<long>().ShouldBe(0);
        onlyRotated.ExitCode.ShouldBe(0, onlyRotated.ToString());
        var rotated = JsonNode.Parse(onlyRotated.Stdout)!;
        rotated["lines"]!.GetValue<long>().ShouldBe(16);
        rotated["malformedLines"]!.GetValue<long>().ShouldBe(1);
        rotated["requests"]!.GetValue<long>().ShouldBe(15);
    }

    [Fact]
    public async Task The_human_report_shows_the_totals_and_the_tables()
    {
        await WriteGeneratedLogsAsync();

        var result = await ShepherdProcess.RunAsync(Environment, "logs", "analyze", "--since", "1h");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("Requests: 42");
        result.Stdout.ShouldContain("Malformed lines (skipped): 5");
        result.Stdout.ShouldContain("(3 older lines skipped)");
        result.Stdout.ShouldContain("Failed sign-ins by IP");
        result.Stdout.ShouldContain("10.0.0.1");
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("15")]
    [InlineData("-1h")]
    [InlineData("3w")]
    public async Task A_since_that_is_not_a_duration_is_refused_with_exit_code_1(string since)
    {
        var result = await ShepherdProcess.RunAsync(Environment, "logs", "analyze", "--since", since);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain($"--since '{since}' is not a duration");
    }

    [Fact]
    public async Task A_missing_file_is_named_and_gives_exit_code_1()
    {
        var missing = Path.Combine(Logs, "nope.clef");

        var result = await ShepherdProcess.RunAsync(Environment, "logs", "analyze", "--file", missing);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain($"No log file {missing}.");
    }

    [Fact]
    public async Task An_empty_logs_folder_says_where_it_looked_and_gives_exit_code_1()
    {
        var result = await ShepherdProcess.RunAsync(Environment, "logs", "analyze");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain($"No Shepherd log files in {Logs}");
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private static List<string> Rows(JsonObject report, string list, string key, string value) =>
        [.. report[list]!.AsArray().Select(r => $"{r![key]?.GetValue<string>() ?? ""}={Text(r[value]!)}")];

    private static string Text(JsonNode node) => node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();

    private static string Minute(DateTimeOffset minute) => minute.ToString("yyyy-MM-ddTHH:mm:ss+00:00", CultureInfo.InvariantCulture);

    /// <summary>
    /// Current file: GET /api/v1/people ×20 (10..200 ms), POST /api/v1/people ×6 500 in one minute + ×1 201 at 1500 ms,
    /// GET /api/v1/people/{id} at 2000, 3000, 900 ms; 3 + 1 + 1 error lines; 4 + 1 failed sign-ins; 2 other lines; 4 malformed.
    /// Rotated (gzipped): GET /api/v1/people ×10 (5 ms), GET /api/health ×2 503, 1 malformed, 3 requests from two days ago (500).
    /// </summary>
    private async Task WriteGeneratedLogsAsync()
    {
        var current = new List<string>();
        var at = _minute.AddMinutes(5);
        for (var i = 1; i <= 20; i++)
        {
            current.Add(Request(at.AddSeconds(i), "GET", "/api/v1/people", 200, i * 10));
        }
        for (var i = 0; i < 6; i++)
        {
            current.Add(Request(_minute.AddSeconds(i * 5), "POST", "/api/v1/people", 500, 50));
        }
        current.Add(Request(at, "POST", "/api/v1/people", 201, 1500));
        current.Add(Request(at, "GET", "/api/v1/people/{id}", 200, 2000));
        current.Add(Request(at, "GET", "/api/v1/people/{id}", 200, 3000));
        current.Add(Request(at, "GET", "/api/v1/people/{id}", 200, 900));
        for (var i = 0; i < 3; i++)
        {
            current.Add(Line(at, "Error", "Unhandled error on {Method} {Path}", ("@x", "System.InvalidOperationException: boom\n   at Shepherd.X()")));
        }
        current.Add(Line(at, "Error", "Unhandled error on {Method} {Path}", ("@x", "Npgsql.NpgsqlException (0x80004005): no connection\n   at Npgsql.Y()")));
        current.Add(Line(at, "Fatal", "Host terminated unexpectedly"));
        for (var i = 0; i < 4; i++)
        {
            current.Add(SignInFailed(at, "10.0.0.1"));
        }
        current.Add(SignInFailed(at, "10.0.0.2"));
        current.Add(Line(at, null, "Now listening on: {address}"));
        current.Add(Line(at, "Warning", "Slow query {Sql}"));
        current.AddRange(["not json at all", "{\"@t\": \"yesterday\", \"@mt\": \"x\"}", "[1, 2, 3]", "{\"@t\":\"2026-"]);
        current.Add("");
        await File.WriteAllLinesAsync(Path.Combine(Logs, "shepherd-20260101.clef"), current);

        var rotated = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            rotated.Add(Request(at, "GET", "/api/v1/people", 200, 5));
        }
        rotated.Add(Request(_minute.AddMinutes(10), "GET", "/api/health", 503, 1));
        rotated.Add(Request(_minute.AddMinutes(10), "GET", "/api/health", 503, 1));
        rotated.Add("{\"@t\":\"2026-01-01T00:00:00Z\",\"@mt\":\"truncated");
        for (var i = 0; i < 3; i++)
        {
            rotated.Add(Request(_minute.AddDays(-2), "GET", "/api/v1/groups", 500, 7));
        }
        await using var file = File.Create(Path.Combine(Logs, "shepherd-20251231.clef.gz"));
        await using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        await using var writer = new StreamWriter(gzip);
        await writer.WriteAsync(string.Join('\n', rotated) + "\n");
    }

    private static string Request(DateTimeOffset t, string method, string route, int status, double elapsed) =>
        Line(t, status >= 500 ? "Error" : null, "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms",
            ("RequestMethod", method), ("RequestPath", route.Replace("{id}", "7", StringComparison.Ordinal)), ("Route", route),
            ("StatusCode", status), ("Elapsed", elapsed), ("@tr", Guid.NewGuid().ToString("N")));

    private static string SignInFailed(DateTimeOffset t, string ip) =>
        Line(t, "Warning", "Sign-in failed from {ClientIp}", ("ClientIp", ip), ("EventId", new { Id = 1001, Name = "SignInFailed" }));

    private static string Line(DateTimeOffset t, string? level, string template, params (string Name, object Value)[] properties)
    {
        var line = new Dictionary<string, object> { ["@t"] = t.ToString("O", CultureInfo.InvariantCulture), ["@mt"] = template };
        if (level is not null)
        {
            line["@l"] = level;
        }
        foreach (var (name, value) in properties)
        {
            line[name] = value;
        }
        return JsonSerializer.Serialize(line);
    }
}
