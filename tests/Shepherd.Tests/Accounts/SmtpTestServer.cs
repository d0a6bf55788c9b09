using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Shepherd.Tests.Accounts;

/// <summary>
/// A real SMTP server on 127.0.0.1 in the test process (the SmtpServer package): Shepherd talks SMTP to it, and the
/// tests read what arrived and follow the links in it.
/// </summary>
public sealed partial class SmtpTestServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<MimeMessage> Received { get; } = new();

    private SmtpTestServer()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, 0)))
            .Build();
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, e) => _port.TrySetResult(((IPEndPoint)e.LocalEndPoint).Port);
        var services = new ServiceProvider();
        services.Add(listeners);
        services.Add(new Store(Received));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; private set; }

    public static async Task<SmtpTestServer> StartAsync()
    {
        var server = new SmtpTestServer();
        server.Port = await server._port.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return server;
    }

    /// <summary>The Shepherd:Mail settings that send Shepherd's mail here (links name a made-up public address).</summary>
    public IReadOnlyDictionary<string, string?> ShepherdSettings => new Dictionary<string, string?>
    {
        ["Shepherd:Mail:Host"] = "127.0.0.1",
        ["Shepherd:Mail:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Shepherd:Mail:Security"] = "None",
        ["Shepherd:Mail:FromAddress"] = "shepherd@church.example",
        ["Shepherd:Mail:PublicUrl"] = "https://shepherd.church.example/",
    };

    /// <summary>The messages sent to <paramref name="to"/> so far.</summary>
    public IReadOnlyList<MimeMessage> To(string to) =>
        [.. Received.Where(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, to, StringComparison.OrdinalIgnoreCase)))];

    /// <summary>
    /// Waits (at most <paramref name="timeout"/>, default 10 s) until a message to <paramref name="to"/> has arrived, for mail Shepherd sends in the
    /// background (password reset links), then returns it as <see cref="Single"/> does.
    /// </summary>
    public async Task<(MimeMessage Message, string Link)> SingleAsync(string to, TimeSpan? timeout = null)
    {
        await Infrastructure.Poll.UntilAsync(() => To(to).Count > 0, timeout);
        return Single(to);
    }

    /// <summary>The one message to <paramref name="to"/>, and the path and query of the Shepherd link in its text.</summary>
    public (MimeMessage Message, string Link) Single(string to)
    {
        var messages = To(to);
        if (messages.Count != 1)
        {
            throw new InvalidOperationException($"Expected one message to {to}, got {messages.Count}.");
        }
        var link = LinkPattern().Match(messages[0].TextBody ?? "");
        if (!link.Success)
        {
            throw new InvalidOperationException($"No link in: {messages[0].TextBody}");
        }
        return (messages[0], new Uri(link.Value).PathAndQuery);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _server.Shutdown();
        await Task.WhenAny(_running, Task.Delay(TimeSpan.FromSeconds(5)));
        _stop.Dispose();
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();

    private sealed class Store(ConcurrentQueue<MimeMessage> received) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            await using var stream = new MemoryStream(buffer.ToArray());
            received.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
