using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Telemetry;

/// <summary>
/// A real `shepherd serve` (SQLite, with a verified backup in its folder so the backup gauges exist) scraped every second
/// by a real Prometheus (Debian's /usr/bin/prometheus, installed by scripts/deps) with a monitoring token, after a few
/// requests: three GET /api/v1/campuses with a read token and one to a path no endpoint matches. Started once for the
/// tests of the <see cref="ScrapedShepherdCollection"/>.
/// </summary>
public sealed class ScrapedShepherd : IAsyncLifetime
{
    public const string Job = "shepherd";
    public const int CampusRequests = 3;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "shepherd-tests", "prometheus-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteCliDatabase _db = new();
    private ServeProcess? _serve;
    private Process? _prometheus;
    private HttpClient? _prometheusApi;

    public ServeProcess Serve => _serve ?? throw new InvalidOperationException("Not started.");

    /// <summary>The data folder's logs, where the server writes its CLEF files.</summary>
    public string LogsFolder => Path.Combine(_db.Settings["Shepherd:DataFolder"]!, "logs");

    /// <summary>GET /metrics as Prometheus scrapes it, fetched once after the requests were made.</summary>
    public string MetricsText { get; private set; } = "";

    private HttpClient PrometheusApi => _prometheusApi ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync()
    {
        var cancel = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(_folder);
        (await _db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        var admin = await _db.RunAsync("admin", "create", "--email", "ops@grace.example", "--password", "correct horse battery", "--organization", "Grace Church");
        admin.ExitCode.ShouldBe(0, admin.ToString());
        var api = await _db.RunAsync("admin", "token", "--email", "ops@grace.example", "--name", "api", "--scope", "read");
        api.ExitCode.ShouldBe(0, api.ToString());
        var monitoring = await _db.RunAsync("admin", "token", "--email", "ops@grace.example", "--name", "prometheus", "--scope", "monitoring");
        monitoring.ExitCode.ShouldBe(0, monitoring.ToString());
        // A verified backup, read by serve at start: the Shepherd.Backups gauges are only exported once one exists.
        var backup = await _db.RunAsync("backup", "create");
        backup.ExitCode.ShouldBe(0, backup.ToString());
        var backupFile = Directory.GetFiles(Path.Combine(_db.Settings["Shepherd:DataFolder"]!, "backups"), "*.backup").ShouldHaveSingleItem();
        var verify = await _db.RunAsync("backup", "verify", Path.GetFileName(backupFile));
        verify.ExitCode.ShouldBe(0, verify.ToString());

        _serve = await ServeProcess.StartAsync(_db.Environment, cancel);

        var tokenFile = Path.Combine(_folder, "shepherd-token");
        await File.WriteAllTextAsync(tokenFile, monitoring.Stdout.Trim(), cancel);
        var config = Path.Combine(_folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: {Job}
                metrics_path: /metrics
                authorization:
                  credentials_file: {tokenFile}
                static_configs:
                  - targets: ["{_serve.Address.Authority}"]
            """, cancel);
        var port = FreeLoopbackPort();
        _prometheus = Process.Start(new ProcessStartInfo("/usr/bin/prometheus",
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_folder, "data")}", $"--web.listen-address=127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("Could not start prometheus.");
        _prometheus.OutputDataReceived += (_, _) => { };
        _prometheus.ErrorDataReceived += (_, _) => { };
        _prometheus.BeginOutputReadLine();
        _prometheus.BeginErrorReadLine();
        _prometheusApi = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };

        using (var shepherd = _serve.CreateClient(api.Stdout.Trim()))
        {
            for (var i = 0; i < CampusRequests; i++)
            {
                (await shepherd.GetAsync("api/v1/campuses", cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);
            }
        }
        using (var anonymous = _serve.CreateClient())
        {
            // A path no endpoint matches: a request series without http_route.
            (await anonymous.GetAsync("api/v1/no-such-thing", cancel)).IsSuccessStatusCode.ShouldBeFalse();
        }
        using (var scraper = _serve.CreateClient(monitoring.Stdout.Trim()))
        {
            MetricsText = await scraper.GetStringAsync("metrics", cancel);
        }
    }

    /// <summary>One instant query through Prometheus' HTTP API: the whole answer (status, data or errorType/error).</summary>
    public async Task<JsonNode> QueryAsync(string promql, CancellationToken cancellationToken)
    {
        _prometheus!.HasExited.ShouldBeFalse($"prometheus exited with code {(_prometheus.HasExited ? _prometheus.ExitCode : 0)}");
        using var form = new FormUrlEncodedContent([new KeyValuePair<string, string>("query", promql)]);
        using var response = await PrometheusApi.PostAsync("api/v1/query", form, cancellationToken);
        // Prometheus answers a bad query with 400 and a JSON body saying why: that body is the answer to look at.
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
    }

    /// <summary>
    /// Polls (bounded) until <paramref name="done"/> holds for the query's answer, e.g. until the scrapes have brought in
    /// the requests. Returns the last answer; fails with it at the deadline.
    /// </summary>
    public async Task<JsonNode> WaitForAsync(string promql, Func<JsonNode, bool> done, TimeSpan within, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var last = "no answer yet";
        while (true)
        {
            try
            {
                var answer = await QueryAsync(promql, cancellationToken);
                last = answer.ToJsonString();
                if (done(answer))
                {
                    return answer;
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                last = e.Message;
            }
            waited.Elapsed.ShouldBeLessThan(within, $"Prometheus never answered {promql} as expected (last answer: {last}).\n{Serve.Output}");
            // Polling interval, not synchronization: the loop ends on the answer or the deadline.
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    /// <summary>The first sample's value of a successful vector answer, or null when there is none.</summary>
    public static double? FirstValue(JsonNode answer)
    {
        if (answer["data"]?["result"] is not JsonArray result || result.Count == 0)
        {
            return null;
        }
        return double.Parse(result[0]!["value"]![1]!.GetValue<string>(), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        _prometheusApi?.Dispose();
        if (_prometheus is not null)
        {
            if (!_prometheus.HasExited)
            {
                _prometheus.Kill(entireProcessTree: true);
            }
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _prometheus.WaitForExitAsync(deadline.Token);
            _prometheus.Dispose();
        }
        if (_serve is not null)
        {
            await _serve.DisposeAsync();
        }
        await _db.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean from the temp folder.
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The test classes that share one <see cref="ScrapedShepherd"/> (and so run one after the other).</summary>
[CollectionDefinition(Name)]
public sealed class ScrapedShepherdCollection : ICollectionFixture<ScrapedShepherd>
{
    public const string Name = "Scraped shepherd";
}
