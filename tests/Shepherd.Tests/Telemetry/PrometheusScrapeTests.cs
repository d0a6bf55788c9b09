using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Shepherd.Tests.Backups;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Telemetry;

/// <summary>
/// A real Prometheus (Debian's /usr/bin/prometheus, installed by scripts/deps) scraping a real `shepherd serve` with a
/// monitoring token, and the shipped deploy/prometheus/prometheus.yml accepted by promtool.
/// </summary>
public sealed class PrometheusScrapeTests : IAsyncDisposable
{
    private static readonly TimeSpan ScrapedWithin = TimeSpan.FromSeconds(30);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "shepherd-tests", "prometheus-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteCliDatabase _db = new();
    private ServeProcess? _serve;
    private Process? _prometheus;

    public PrometheusScrapeTests() => Directory.CreateDirectory(_folder);

    private static string ShippedConfig => Path.GetFullPath(Path.Combine(DeployScripts.Folder, "..", "prometheus", "prometheus.yml"));

    [Fact]
    public async Task Prometheus_scrapes_served_metrics_with_a_monitoring_token_and_sees_the_routes_requests()
    {
        var cancel = TestContext.Current.CancellationToken;
        (await _db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        var admin = await _db.RunAsync("admin", "create", "--email", "ops@grace.example", "--password", "correct horse battery", "--organization", "Grace Church");
        admin.ExitCode.ShouldBe(0, admin.ToString());
        var api = await _db.RunAsync("admin", "token", "--email", "ops@grace.example", "--name", "api", "--scope", "read");
        var monitoring = await _db.RunAsync("admin", "token", "--email", "ops@grace.example", "--name", "prometheus", "--scope", "monitoring");
        monitoring.ExitCode.ShouldBe(0, monitoring.ToString());
        _serve = await ServeProcess.StartAsync(_db.Environment, cancel);

        var tokenFile = Path.Combine(_folder, "shepherd-token");
        await File.WriteAllTextAsync(tokenFile, monitoring.Stdout.Trim(), cancel);
        var config = Path.Combine(_folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: shepherd
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

        using (var shepherd = _serve.CreateClient(api.Stdout.Trim()))
        {
            for (var i = 0; i < 3; i++)
            {
                (await shepherd.GetAsync("api/v1/campuses", cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);
            }
        }

        using var prometheus = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        var query = Uri.EscapeDataString("""sum(http_server_request_duration_seconds_count{job="shepherd",http_route=~"/?api/v1/campuses/?",http_request_method="GET"})""");
        var waited = Stopwatch.StartNew();
        var last = "no answer yet";
        while (true)
        {
            _prometheus.HasExited.ShouldBeFalse($"prometheus exited with code {(_prometheus.HasExited ? _prometheus.ExitCode : 0)}");
            try
            {
                var body = JsonNode.Parse(await prometheus.GetStringAsync($"api/v1/query?query={query}", cancel))!;
                last = body.ToJsonString();
                if (body["data"]!["result"]!.AsArray() is [var series, ..]
                    && double.Parse(series!["value"]![1]!.GetValue<string>(), CultureInfo.InvariantCulture) >= 3)
                {
                    break;
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException e) when (!cancel.IsCancellationRequested)
            {
                last = e.Message;
            }
            waited.Elapsed.ShouldBeLessThan(ScrapedWithin, $"Prometheus never saw the requests (last answer: {last}).\n{_serve.Output}");
            // Polling interval, not synchronization: the loop ends on the answer or the deadline.
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancel);
        }
    }

    [Fact]
    public async Task The_shipped_prometheus_config_passes_promtool()
    {
        // promtool insists the token file exists: check a copy that points at a real one, otherwise unchanged.
        var tokenFile = Path.Combine(_folder, "shepherd-token");
        await File.WriteAllTextAsync(tokenFile, "shp_example", TestContext.Current.CancellationToken);
        var shipped = await File.ReadAllTextAsync(ShippedConfig, TestContext.Current.CancellationToken);
        shipped.ShouldContain("credentials_file: /etc/prometheus/shepherd-token");
        shipped.ShouldContain("\"shepherd:5000\"");
        var copy = Path.Combine(_folder, "prometheus.yml");
        await File.WriteAllTextAsync(copy, shipped.Replace("/etc/prometheus/shepherd-token", tokenFile, StringComparison.Ordinal), TestContext.Current.CancellationToken);

        var check = await OsCommand.RunAsync("/usr/bin/promtool", ["check", "config", copy], TimeSpan.FromSeconds(30));

        check.ExitCode.ShouldBe(0, check.ToString());
    }

    public async ValueTask DisposeAsync()
    {
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
