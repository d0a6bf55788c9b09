using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data;
using Shepherd.Operations.Logs;
using Spectre.Console;

namespace Shepherd.Cli;

/// <summary>`shepherd logs analyze`: what Shepherd's own JSON logs say about traffic, errors, slowness and failed sign-ins.</summary>
public sealed class LogsCommand : Command
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Templates and times as written ("{Path}", "+00:00"), not \u-escaped: this is read by people and jq, not embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public LogsCommand() : base("logs", "Read Shepherd's log files.")
    {
        var since = new Option<string>("--since") { Description = "Only lines from this long ago until now: 15m, 1h, 2d (default: everything)." };
        var files = new Option<string[]>("--file")
        {
            Description = "A log file to read (repeatable; .gz is decompressed). Default: every Shepherd log in <data folder>/logs.",
            AllowMultipleArgumentsPerToken = true,
        };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON instead of tables." };
        var slowMs = new Option<int>("--slow-ms") { Description = "A request slower than this many milliseconds is slow.", DefaultValueFactory = _ => 1000 };
        var burst = new Option<int>("--burst") { Description = "A minute with at least this many 5xx responses is a burst.", DefaultValueFactory = _ => 5 };
        var top = new Option<int>("--top") { Description = "How many rows each list shows.", DefaultValueFactory = _ => 10 };
        var analyze = new Command("analyze", "Requests, error rate, top and slowest endpoints, repeated errors, slow requests, failed sign-ins by IP, 5xx bursts.")
        {
            since, files, json, slowMs, burst, top,
        };
        analyze.SetAction((parse, ct) => CliHost.RunAsync(
            sp => AnalyzeAsync(sp, parse.GetValue(since), parse.GetValue(files) ?? [], parse.GetValue(json),
                parse.GetValue(slowMs), parse.GetValue(burst), parse.GetValue(top), ct),
            ensureSchema: false));
        Subcommands.Add(analyze);
    }

    private static async Task<int> AnalyzeAsync(
        IServiceProvider services, string? since, string[] files, bool json, int slowMs, int burst, int top, CancellationToken cancellationToken)
    {
        DateTimeOffset? from = null;
        if (since is not null)
        {
            if (!SinceText.TryParse(since, out var window))
            {
                throw new CommandException($"--since '{since}' is not a duration: use a whole number with s, m, h or d, e.g. 15m, 1h or 2d.");
            }
            from = services.GetRequiredService<TimeProvider>().GetUtcNow() - window;
        }
        if (slowMs <= 0 || burst <= 0 || top <= 0)
        {
            throw new CommandException("--slow-ms, --burst and --top must be positive whole numbers.");
        }
        var paths = files.Select(Path.GetFullPath).ToList();
        var missing = paths.FirstOrDefault(p => !File.Exists(p));
        if (missing is not null)
        {
            throw new CommandException($"No log file {missing}.");
        }
        if (paths.Count == 0)
        {
            var folder = services.GetRequiredService<DataFolder>().Logs;
            paths = [.. LogFileSet.InFolder(folder)];
            if (paths.Count == 0)
            {
                throw new CommandException($"No Shepherd log files in {folder}. Pass --file, or check Shepherd__DataFolder.");
            }
        }
        var report = await LogAnalyzer.AnalyzeAsync(paths, new LogAnalysisOptions(from, TimeSpan.FromMilliseconds(slowMs), burst, top), cancellationToken);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(report, Json));
        }
        else
        {
            Print(report);
        }
        return 0;
    }

    private static void Print(LogReport report)
    {
        var console = AnsiConsole.Console;
        // One short fact per line: redirected output is 80 columns wide and Spectre wraps longer lines.
        console.MarkupLine($"[bold]{report.Files.Count} file(s)[/], {report.Lines:N0} lines");
        if (report.Since is { } since)
        {
            console.MarkupLine($"Since {since.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC ({report.LinesBeforeSince:N0} older lines skipped)");
        }
        if (report.MalformedLines > 0)
        {
            console.MarkupLine($"[yellow]Malformed lines (skipped): {report.MalformedLines:N0}[/]");
        }
        console.MarkupLine($"Requests: [bold]{report.Requests:N0}[/]   5xx: [bold]{report.ServerErrors:N0}[/]   error rate: [bold]{report.ErrorRate:P2}[/]");

        console.MarkupLine("[bold]Top endpoints by count[/]");
        var busiest = new Table().AddColumns("Endpoint", "Requests", "5xx", "p95 ms");
        foreach (var e in report.TopEndpointsByCount)
        {
            busiest.AddRow(Markup.Escape(e.Endpoint), $"{e.Count:N0}", $"{e.ServerErrors:N0}", $"{e.P95Ms:N1}");
        }
        console.Write(busiest);
        console.MarkupLine("[bold]Top endpoints by p95 duration[/]");
        var slowest = new Table().AddColumns("Endpoint", "p95 ms", "Requests");
        foreach (var e in report.TopEndpointsByP95)
        {
            slowest.AddRow(Markup.Escape(e.Endpoint), $"{e.P95Ms:N1}", $"{e.Count:N0}");
        }
        console.Write(slowest);
        console.MarkupLine("[bold]Top errors[/]");
        var errors = new Table().AddColumns("Count", "Exception", "Message template", "Last (UTC)");
        foreach (var e in report.ErrorGroups)
        {
            errors.AddRow($"{e.Count:N0}", Markup.Escape(e.ExceptionType ?? "-"), Markup.Escape(e.MessageTemplate ?? "-"),
                e.Last.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        }
        console.Write(errors);
        console.MarkupLine($"[bold]Slow requests (> {report.SlowThresholdMs:N0} ms): {report.SlowRequestCount:N0}[/]");
        var slow = new Table().AddColumns("Time (UTC)", "Endpoint", "Status", "ms", "Trace id");
        foreach (var r in report.SlowestRequests)
        {
            slow.AddRow(r.Timestamp.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Markup.Escape(r.Endpoint),
                $"{r.StatusCode}", $"{r.ElapsedMs:N0}", r.TraceId ?? "-");
        }
        console.Write(slow);
        console.MarkupLine("[bold]Failed sign-ins by IP[/]");
        var signIns = new Table().AddColumns("IP", "Failures");
        foreach (var f in report.FailedSignInsByIp)
        {
            signIns.AddRow(Markup.Escape(f.Ip), $"{f.Count:N0}");
        }
        console.Write(signIns);
        console.MarkupLine($"[bold]5xx bursts (minutes with >= {report.BurstThreshold})[/]");
        var bursts = new Table().AddColumns("Minute (UTC)", "5xx");
        foreach (var b in report.ServerErrorBursts)
        {
            bursts.AddRow(b.Minute.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), $"{b.ServerErrors:N0}");
        }
        console.Write(bursts);
    }
}
