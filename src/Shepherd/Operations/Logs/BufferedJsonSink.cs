using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;

namespace Shepherd.Operations.Logs;

/// <summary>
/// Compact JSON lines to a stream (stdout) through a 32 KB buffer: written out when the buffer fills, at once for a
/// warning or worse, and otherwise at least every <c>flushInterval</c>. A busy server then makes one write per buffer
/// instead of one per request line (the console sink's way, which cost more than all the metrics together), and a quiet
/// one's last line is out within the interval.
/// </summary>
public sealed class BufferedJsonSink : ILogEventSink, IDisposable
{
    private readonly Lock _gate = new();
    private readonly StreamWriter _writer;
    private readonly ITextFormatter _formatter = new CompactJsonFormatter();
    private readonly ITimer _timer;
    private bool _pending;
    private bool _disposed;

    public BufferedJsonSink(Stream stream, TimeSpan flushInterval, TimeProvider clock)
    {
        _writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 32 * 1024, leaveOpen: true) { AutoFlush = false };
        _timer = clock.CreateTimer(_ => Flush(), null, flushInterval, flushInterval);
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _formatter.Format(logEvent, _writer);
            _pending = true;
            if (logEvent.Level >= LogEventLevel.Warning)
            {
                FlushLocked();
            }
        }
    }

    public void Flush()
    {
        lock (_gate)
        {
            FlushLocked();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            FlushLocked();
            _disposed = true;
            _writer.Dispose();
        }
    }

    private void FlushLocked()
    {
        if (!_pending || _disposed)
        {
            return;
        }
        _pending = false;
        try
        {
            _writer.Flush();
        }
        catch (IOException)
        {
            // Nobody reads stdout any more (a closed pipe): the log files still have every line.
        }
    }
}
