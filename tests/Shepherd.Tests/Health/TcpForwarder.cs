using System.Net;
using System.Net.Sockets;

namespace Shepherd.Tests.Health;

/// <summary>
/// A loopback TCP forwarder to a server: the app connects through it, so a test can cut the network to the database
/// (<see cref="Stop"/>: the listener and every open connection close) and bring it back on the same port
/// (<see cref="Start"/>), without touching the shared server.
/// </summary>
public sealed class TcpForwarder : IDisposable
{
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly Lock _gate = new();
    private readonly HashSet<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _stopping;

    public TcpForwarder(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        Start();
    }

    /// <summary>The loopback port the app connects to; the same after a restart.</summary>
    public int Port { get; private set; }

    /// <summary>Connections piped since the start (both sides counted once).</summary>
    public int Accepted { get; private set; }

    public void Start()
    {
        lock (_gate)
        {
            if (_listener is not null)
            {
                return;
            }
            var listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            _listener = listener;
            _stopping = new CancellationTokenSource();
            _ = AcceptAsync(listener, _stopping.Token);
        }
    }

    /// <summary>Closes the listener (new connections are refused) and resets every open connection.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopping?.Cancel();
            _stopping?.Dispose();
            _stopping = null;
            _listener?.Stop();
            _listener = null;
            foreach (var client in _open)
            {
                Close(client);
            }
            _open.Clear();
        }
    }

    public void Dispose() => Stop();

    private async Task AcceptAsync(TcpListener listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient incoming;
            try
            {
                incoming = await listener.AcceptTcpClientAsync(stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = PipeAsync(incoming, stopping);
        }
    }

    private async Task PipeAsync(TcpClient incoming, CancellationToken stopping)
    {
        var outgoing = new TcpClient();
        if (!Track(incoming, outgoing, stopping))
        {
            return;
        }
        try
        {
            await outgoing.ConnectAsync(_targetHost, _targetPort, stopping);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var up = incoming.GetStream().CopyToAsync(outgoing.GetStream(), both.Token);
            var down = outgoing.GetStream().CopyToAsync(incoming.GetStream(), both.Token);
            await Task.WhenAny(up, down);
            await both.CancelAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The forwarder was stopped or a side closed: both sides are closed below.
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(incoming);
                _open.Remove(outgoing);
            }
            Close(incoming);
            Close(outgoing);
        }
    }

    private bool Track(TcpClient incoming, TcpClient outgoing, CancellationToken stopping)
    {
        lock (_gate)
        {
            if (stopping.IsCancellationRequested)
            {
                Close(incoming);
                outgoing.Dispose();
                return false;
            }
            _open.Add(incoming);
            _open.Add(outgoing);
            Accepted++;
            return true;
        }
    }

    /// <summary>Resets rather than closes gracefully, like a network that went away (and leaves no TIME_WAIT on the port).</summary>
    private static void Close(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
        client.Dispose();
    }
}
