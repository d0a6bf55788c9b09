using System.Text.Json;
using Shepherd.Tests.Cli;
using Shepherd.Tests.Durability;

namespace Shepherd.Tests.Logs;

/// <summary>
/// One `shepherd serve` child process on a fresh SQLite data folder, with a church and an API token, shared by the tests
/// of a class. Its logs folder starts with a file from 2020, which retention (90 days by default) must remove.
/// </summary>
public sealed class ServedLogs : IAsyncLifetime
{
    public const string AncientFile = "shepherd-20200101.clef";

    private readonly SqliteCliDatabase _db = new();
    private ServeProcess? _serve;

    public ServeProcess Serve => _serve ?? throw new InvalidOperationException("Not started.");

    public ServedChurch Church { get; private set; } = null!;

    public string LogsFolder => Path.Combine(_db.Settings["Shepherd:DataFolder"]!, "logs");

    public async ValueTask InitializeAsync()
    {
        Church = await ServedChurch.SetUpAsync(_db);
        Directory.CreateDirectory(LogsFolder);
        await File.WriteAllTextAsync(Path.Combine(LogsFolder, AncientFile), "{\"@t\":\"2020-01-01T00:00:00Z\",\"@mt\":\"old\"}\n");
        _serve = await ServeProcess.StartAsync(_db.Environment);
    }

    /// <summary>Every line of every log file, read while the server may still be writing.</summary>
    public async Task<IReadOnlyList<string>> LinesAsync()
    {
        var lines = new List<string>();
        foreach (var file in Directory.EnumerateFiles(LogsFolder))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync() is { } line)
            {
                lines.Add(line);
            }
        }
        return lines;
    }

    /// <summary>Polls the log files (bounded) until a request line with this trace id is there; the line is written after the response.</summary>
    public async Task<JsonElement> RequestLineAsync(string traceId)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(15);
        while (true)
        {
            foreach (var line in await LinesAsync())
            {
                if (line.Contains(traceId, StringComparison.Ordinal))
                {
                    var json = JsonDocument.Parse(line).RootElement.Clone();
                    if (json.TryGetProperty("StatusCode", out _))
                    {
                        return json;
                    }
                }
            }
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"No request line with trace id {traceId} in {LogsFolder}.\n{Serve.Output}");
            }
            // Polling interval, not synchronization: the loop ends when the line appears or at the deadline.
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_serve is not null)
        {
            await _serve.DisposeAsync();
        }
        await _db.DisposeAsync();
    }
}
