using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Shepherd.Tests.Cli;

/// <summary>
/// `shepherd serve` as a real child process on a free loopback port, the way an operator runs it: started, ready once
/// GET /api/health answers 200, and killed hard (SIGKILL, no shutdown hooks) to play a crash. Disposing always kills it.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private const int OutputLines = 200;
    private static readonly TimeSpan HealthyWithin = TimeSpan.FromSeconds(40);

    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private ServeProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        // The server logs every request; reading its pipes keeps it from blocking on a full one.
        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The server's root, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the server printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts `serve` against the database the environment names and waits until it is healthy.</summary>
    public static async Task<ServeProcess> StartAsync(IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken = default)
    {
        // The free port is found before the server binds it, so another process may take it first: try again on a new one.
        for (var attempt = 1; ; attempt++)
        {
            var address = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}/");
            var start = ShepherdProcess.StartInfo(environment, ["serve", "--urls", address.ToString().TrimEnd('/')]);
            start.RedirectStandardInput = false;
            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start shepherd serve.");
            var serve = new ServeProcess(process, address);
            try
            {
                await serve.WaitHealthyAsync(cancellationToken);
                return serve;
            }
            catch (ServeExitedException) when (attempt < 3 && serve.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await serve.DisposeAsync();
            }
            catch
            {
                await serve.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>A client for the server's API, with a bearer token when given.</summary>
    public HttpClient CreateClient(string? token = null)
    {
        var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return http;
    }

    /// <summary>
    /// SIGKILL to the server process itself (`dotnet shepherd.dll` hosts the app in-process): no graceful shutdown,
    /// no flush, no SQLite checkpoint; whatever was not durable when the signal arrived is gone.
    /// </summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(deadline.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        var last = "no answer yet";
        while (true)
        {
            if (_process.HasExited)
            {
                throw new ServeExitedException($"shepherd serve exited with code {_process.ExitCode} before it was healthy.\n{Output}");
            }
            try
            {
                using var response = await http.GetAsync("api/health", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                last = e.Message;
            }
            if (waited.Elapsed > HealthyWithin)
            {
                throw new TimeoutException($"shepherd serve at {Address} was not healthy within {HealthyWithin} (last: {last}).\n{Output}");
            }
            // Polling interval, not synchronization: the loop ends on the health answer or the deadline.
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > OutputLines)
            {
                _output.Dequeue();
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class ServeExitedException(string message) : Exception(message);
}
