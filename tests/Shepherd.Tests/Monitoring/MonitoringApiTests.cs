using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Operations.Logs;
using Shepherd.Operations.Monitoring;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Monitoring;

/// <summary>
/// Test-only endpoints, in front of the app's own pipeline: <c>GET /test/delay/{ms}</c> answers after that many
/// milliseconds (a known latency distribution) and <c>GET /test/fail/{kind}</c> throws (error counts and groups).
/// </summary>
public sealed class TestEndpoints : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/test"), branch =>
        {
            branch.UseMiddleware<TraceIdHeader>();
            branch.UseExceptionHandler();
            branch.UseRouting();
            branch.UseEndpoints(e =>
            {
                e.MapGet("/test/delay/{ms:int}", async (int ms, CancellationToken cancel) =>
                {
                    await Task.Delay(ms, cancel);
                    return "done";
                });
                e.MapGet("/test/fail/{kind}", string (string kind) =>
                {
                    if (kind == "parse")
                    {
                        throw new FormatException("Not a number.");
                    }
                    throw new InvalidOperationException("Something broke.");
                });
            });
        });
        next(app);
    };

    public static void AddTo(IWebHostBuilder builder) =>
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, TestEndpoints>());
}

public sealed class MonitoringSqliteApp : SqliteApp
{
    public MonitoringSqliteApp() => Settings["Shepherd:Telemetry:BusinessRefresh"] = "00:00:00";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        TestEndpoints.AddTo(builder);
    }
}

public sealed class MonitoringPostgresApp : PostgresApp
{
    public MonitoringPostgresApp() => Settings["Shepherd:Telemetry:BusinessRefresh"] = "00:00:00";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        TestEndpoints.AddTo(builder);
    }
}

/// <summary>
/// GET /api/monitoring/metrics, /performance and /errors: computed in process from the same instruments Prometheus
/// scrapes, checked against requests whose latency and outcome the test chose.
/// </summary>
public abstract class MonitoringApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/api/monitoring/metrics")]
    [InlineData("/api/monitoring/performance")]
    [InlineData("/api/monitoring/errors")]
    public async Task Without_a_token_the_monitoring_api_answers_401_and_with_a_read_write_token_403(string url)
    {
        using var anonymous = app.CreateClient();
        (await anonymous.GetAsync(url, Cancel)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var api = await app.NewOrganizationAsync([ApiScopes.Read, ApiScopes.Write], cancellationToken: Cancel);
        (await api.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Percentiles_agree_with_a_known_latency_distribution_within_the_histogram_error()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var http = app.CreateClient();
        // What the server measured for each request, straight from the instrument the monitoring API reads.
        using var raw = new RawDurations(app.Services.GetRequiredService<IMeterFactory>(), DelayRoute);
        // 60 % answer after 30 ms, 36 % after 120 ms, 4 % after 400 ms: p50 is about 30 ms, p95 120 ms, p99 400 ms.
        var delays = Enumerable.Repeat(30, 60).Concat(Enumerable.Repeat(120, 36)).Concat(Enumerable.Repeat(400, 4)).ToArray();
        await Parallel.ForEachAsync(delays, new ParallelOptions { MaxDegreeOfParallelism = 10, CancellationToken = Cancel }, async (ms, cancel) =>
        {
            using var response = await http.GetAsync($"/test/delay/{ms}", cancel);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        });

        var metrics = await monitor.GetJsonAsync("/api/monitoring/metrics");

        var measured = raw.Sorted();
        measured.Length.ShouldBe(100);
        var windows = metrics["windows"]!.AsArray();
        windows.Select(w => w!["minutes"]!.GetValue<int>()).ShouldBe([1, 5, 15, 60]);
        foreach (var window in windows)
        {
            var route = Route(window!, "GET " + DelayRoute);
            route["count"]!.GetValue<long>().ShouldBe(100);
            route["errors"]!.GetValue<long>().ShouldBe(0);
            foreach (var (field, quantile) in new[] { ("p50Ms", 0.50), ("p95Ms", 0.95), ("p99Ms", 0.99) })
            {
                var exact = measured[(int)Math.Ceiling(quantile * measured.Length) - 1];
                // Reported rounded to 0.01 ms.
                route[field]!.GetValue<double>().ShouldBe(exact, (exact * LatencyHistogram.RelativeError) + 0.01, $"{field} of {string.Join(", ", measured)}");
            }
            route["maxMs"]!.GetValue<double>().ShouldBe(measured[^1], 0.01);
            route["meanMs"]!.GetValue<double>().ShouldBe(measured.Average(), 0.01);
            // And the injected shape shows: each percentile sits on its plateau, not below it.
            route["p50Ms"]!.GetValue<double>().ShouldBeInRange(30 * (1 - LatencyHistogram.RelativeError), 120);
            route["p95Ms"]!.GetValue<double>().ShouldBeInRange(120 * (1 - LatencyHistogram.RelativeError), 400);
            route["p99Ms"]!.GetValue<double>().ShouldBeGreaterThanOrEqualTo(400 * (1 - LatencyHistogram.RelativeError));
            route["perSecond"]!.GetValue<double>().ShouldBeGreaterThan(0);
            window!["requests"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(100);
        }
    }

    [Fact]
    public async Task Server_errors_count_in_the_error_rate_and_are_grouped_with_a_sample_trace_id()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var http = app.CreateClient();
        string? lastTraceId = null;
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.GetAsync("/test/fail/broken", Cancel);
            response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
            lastTraceId = response.Headers.GetValues(TraceIdHeader.Name).Single();
        }
        using (var parse = await http.GetAsync("/test/fail/parse", Cancel))
        {
            parse.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        }

        var metrics = await monitor.GetJsonAsync("/api/monitoring/metrics");
        var route = Route(metrics["windows"]![0]!, "GET /test/fail/{kind}");
        route["count"]!.GetValue<long>().ShouldBe(4);
        route["errors"]!.GetValue<long>().ShouldBe(4);
        route["errorRate"]!.GetValue<double>().ShouldBe(1);

        using var errors = await monitor.GetAsync("/api/monitoring/errors");
        errors.StatusCode.ShouldBe(HttpStatusCode.OK);
        var groups = JsonNode.Parse(await errors.Content.ReadAsStringAsync(Cancel))!.AsArray();
        var broken = groups.Single(g => g!["type"]!.GetValue<string>() == typeof(InvalidOperationException).FullName
            && g["lastMessage"]!.GetValue<string>() == "Something broke.")!;
        broken["count"]!.GetValue<long>().ShouldBe(3);
        broken["sampleTraceId"]!.GetValue<string>().ShouldBe(lastTraceId);
        broken["sampleRequestId"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
        broken["fingerprint"]!.GetValue<string>().Length.ShouldBe(16);
        broken["frames"]!.AsArray().ShouldNotBeEmpty();
        var parseGroup = groups.Single(g => g!["type"]!.GetValue<string>() == typeof(FormatException).FullName)!;
        parseGroup["fingerprint"]!.GetValue<string>().ShouldNotBe(broken["fingerprint"]!.GetValue<string>());
        metrics["errorGroups"]!.AsArray().Select(g => g!["fingerprint"]!.GetValue<string>()).ShouldContain(broken["fingerprint"]!.GetValue<string>());
    }

    [Fact]
    public async Task Client_errors_are_counted_apart_from_server_errors()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var api = await app.NewOrganizationAsync(cancellationToken: Cancel);
        (await api.GetAsync("/api/v1/families/999999999")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var metrics = await monitor.GetJsonAsync("/api/monitoring/metrics");

        var route = Route(metrics["windows"]![0]!, "GET /api/v1/families/{id:long}");
        route["clientErrors"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(1);
        route["errors"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public async Task Metrics_carry_business_counts_and_a_trend_of_five_minute_periods()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var api = await app.NewOrganizationAsync(cancellationToken: Cancel);
        await api.CreateAsync("/api/v1/people", new { firstName = "Ann", lastName = "Ashby" });

        var metrics = await monitor.GetJsonAsync("/api/monitoring/metrics");

        metrics["business"]!["people"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(1);
        metrics["business"]!["families"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(0);
        var history = metrics["history"]!.AsArray();
        history.ShouldNotBeEmpty();
        var last = history[^1]!;
        last["count"]!.GetValue<long>().ShouldBeGreaterThan(0);
        var at = DateTimeOffset.Parse(last["at"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        (at.UtcTicks % TimeSpan.FromMinutes(5).Ticks).ShouldBe(0);
        metrics["uptimeSeconds"]!.GetValue<double>().ShouldBeGreaterThanOrEqualTo(0);
        metrics["version"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Performance_lists_the_queries_a_request_ran_with_their_text_and_never_their_values()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var api = await app.NewOrganizationAsync(cancellationToken: Cancel);
        await api.CreateAsync("/api/v1/people", new { firstName = "Zebedee", lastName = "Quixote-Marker" });
        (await api.GetAsync("/api/v1/people?q=Quixote-Marker")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var performance = await monitor.GetJsonAsync("/api/monitoring/performance?minutes=5");

        performance["minutes"]!.GetValue<int>().ShouldBe(5);
        var queries = performance["queriesByTotalTime"]!.AsArray().Concat(performance["slowestQueries"]!.AsArray()).ToList();
        queries.ShouldNotBeEmpty();
        queries.ShouldAllBe(q => q!["count"]!.GetValue<long>() > 0);
        performance.ToJsonString().ShouldNotContain("Quixote-Marker");
        var database = performance["database"]!;
        database["provider"]!.GetValue<string>().ShouldBe(app.Provider.ToString().ToLowerInvariant());
        database["commands"]!["count"]!.GetValue<long>().ShouldBeGreaterThan(0);
        if (app.Provider == Data.DatabaseProvider.Postgres)
        {
            var pool = database["pool"]!;
            pool["max"]!.GetValue<long>().ShouldBeGreaterThan(0);
            (pool["idle"]!.GetValue<long>() + pool["busy"]!.GetValue<long>()).ShouldBeGreaterThan(0);
        }
        else
        {
            database["pool"].ShouldBeNull();
        }
        performance["slowestRoutes"]!.AsArray().ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Performance_reports_the_runtime_cpu_memory_gc_and_thread_pool()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);

        var runtime = (await monitor.GetJsonAsync("/api/monitoring/performance"))["runtime"]!;

        runtime["processors"]!.GetValue<int>().ShouldBe(Environment.ProcessorCount);
        runtime["workingSetBytes"]!.GetValue<long>().ShouldBeGreaterThan(10_000_000);
        runtime["memoryLimitBytes"]!.GetValue<long>().ShouldBeGreaterThan(runtime["workingSetBytes"]!.GetValue<long>());
        runtime["gcHeapBytes"]!.GetValue<long>().ShouldBeGreaterThan(0);
        runtime["threadPoolThreads"]!.GetValue<int>().ShouldBeGreaterThan(0);
        runtime["cpuPercent"]!.GetValue<double>().ShouldBeInRange(0, 100);
    }

    [Theory]
    [InlineData("7")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1440")]
    public async Task A_window_other_than_1_5_15_or_60_minutes_is_refused_naming_the_field(string minutes)
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var response = await monitor.GetAsync($"/api/monitoring/performance?minutes={minutes}");
        await response.ShouldBeValidationProblemAsync("minutes");
    }

    [Fact]
    public async Task A_window_that_is_not_a_number_is_a_400_not_a_500()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        using var response = await monitor.GetAsync("/api/monitoring/performance?minutes=lots");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private const string DelayRoute = "/test/delay/{ms:int}";

    private static JsonNode Route(JsonNode window, string name)
    {
        var routes = window["routes"]!.AsArray();
        return routes.SingleOrDefault(r => r!["name"]!.GetValue<string>() == name)
            ?? throw new ShouldAssertException($"No route {name} in {string.Join(", ", routes.Select(r => r!["name"]))}");
    }

    /// <summary>Every http.server.request.duration one host recorded for one route, in milliseconds.</summary>
    private sealed class RawDurations : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentBag<double> _values = [];

        public RawDurations(IMeterFactory meters, string route)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == RequestMonitor.DurationInstrument)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "http.route" && (string?)tag.Value == route)
                    {
                        _values.Add(seconds * 1000);
                    }
                }
            });
            _listener.Start();
        }

        public double[] Sorted() => [.. _values.Order()];

        public void Dispose() => _listener.Dispose();
    }
}

public sealed class SqliteMonitoringApiTests(MonitoringSqliteApp app) : MonitoringApiTests<MonitoringSqliteApp>(app), IClassFixture<MonitoringSqliteApp>;

public sealed class PostgresMonitoringApiTests(MonitoringPostgresApp app) : MonitoringApiTests<MonitoringPostgresApp>(app), IClassFixture<MonitoringPostgresApp>;
