using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Serilog.Events;
using Shepherd.Operations.Logs;
using Shepherd.Tests.Backups;
using Shouldly;

namespace Shepherd.Tests.Telemetry;

/// <summary>
/// The ready-made configuration in deploy/: the Grafana dashboards' PromQL runs in a real Prometheus that scraped a real
/// `shepherd serve` and names only metrics that server exports; the Alloy config reads the files and fields the same
/// server really writes; the Loki queries use only the labels Alloy sets.
/// </summary>
[Collection(ScrapedShepherdCollection.Name)]
public sealed partial class DashboardTests(ScrapedShepherd scraped)
{
    private static readonly TimeSpan AnsweredWithin = TimeSpan.FromSeconds(30);
    private static readonly string Deploy = Path.GetFullPath(Path.Combine(DeployScripts.Folder, ".."));
    private static readonly string Dashboards = Path.Combine(Deploy, "grafana", "dashboards");
    private static readonly string AlloyConfig = Path.Combine(Deploy, "alloy", "config.alloy");

    /// <summary>The labels Alloy puts on every stream; everything else is structured metadata or in the line.</summary>
    private static readonly string[] AlloyLabels = ["job", "instance", "level"];

    private static readonly string[] PromQlWords = ["and", "or", "unless", "bool", "offset", "inf", "nan"];

    [Fact]
    public void Every_dashboard_parses_uses_only_provisioned_datasources_and_has_a_unique_uid()
    {
        var provisioned = ProvisionedDatasourceUids();
        provisioned.ShouldBe(["prometheus", "loki"], ignoreOrder: true);
        var boards = LoadDashboards();
        boards.Select(b => b.Json["title"]!.GetValue<string>()).ShouldBe(
            ["Shepherd — Business", "Shepherd — Database", "Shepherd — Logs", "Shepherd — Requests", "Shepherd — Runtime"], ignoreOrder: true);
        boards.Select(b => b.Json["uid"]!.GetValue<string>()).ShouldBeUnique();

        foreach (var (file, board) in boards)
        {
            var panels = Panels(board).ToList();
            panels.ShouldNotBeEmpty(file);
            panels.Select(p => p["id"]!.GetValue<int>()).ShouldBeUnique(file);
            foreach (var panel in panels.Where(p => p["type"]!.GetValue<string>() != "row"))
            {
                var where = $"{file}: panel '{panel["title"]}'";
                var panelUid = panel["datasource"]?["uid"]?.GetValue<string>();
                panelUid.ShouldNotBeNull(where);
                provisioned.ShouldContain(panelUid, where);
                var targets = panel["targets"]!.AsArray();
                targets.ShouldNotBeEmpty(where);
                foreach (var target in targets)
                {
                    (target!["datasource"]?["uid"]?.GetValue<string>() ?? panelUid).ShouldBe(panelUid, where);
                    target["expr"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace(where);
                }
            }
            var variables = board["templating"]!["list"]!.AsArray().Select(v => v!).ToList();
            foreach (var variable in variables.Where(v => v["datasource"] is not null))
            {
                provisioned.ShouldContain(variable["datasource"]!["uid"]!.GetValue<string>(), $"{file}: variable {variable["name"]}");
            }
            // Every dashboard can be pointed at one Shepherd job and some of its instances.
            variables.Select(v => v["name"]!.GetValue<string>()).ShouldContain("job", file);
            variables.Select(v => v["name"]!.GetValue<string>()).ShouldContain("instance", file);
        }
    }

    [Fact]
    public async Task Every_dashboard_query_runs_in_prometheus_against_a_scraped_shepherd_and_finds_series()
    {
        var cancel = TestContext.Current.CancellationToken;
        var queries = PrometheusQueries().ToList();
        queries.Count.ShouldBeGreaterThan(40);
        // The scrapes must have brought in the requests before the rates can see them.
        await scraped.WaitForAsync("""sum(http_server_request_duration_seconds_count{job="shepherd",http_route!=""})""",
            a => ScrapedShepherd.FirstValue(a) >= ScrapedShepherd.CampusRequests, AnsweredWithin, cancel);

        var pending = queries.ToList();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var empty = new List<string>();
        while (true)
        {
            empty.Clear();
            foreach (var query in pending)
            {
                var answer = await scraped.QueryAsync(query.PromQl, cancel);
                // A parse error, an unknown function or a type error (e.g. rate over an instant vector) is "error".
                answer["status"]!.GetValue<string>().ShouldBe("success", $"{query.Where}\n{query.PromQl}\n{answer.ToJsonString()}");
                // Shepherd served no 5xx, so 5xx-only series cannot exist; every other query must find what it names
                // (a wrong label or metric name answers "success" with nothing in it).
                var series = answer["data"]!["result"]!.AsArray();
                if (series.Count == 0 && !query.OnlyFiveHundreds)
                {
                    empty.Add($"{query.Where}: {query.PromQl}");
                }
                // The legend's {{label}}s are labels of the answer (a "by (typo)" still answers, with the label missing).
                foreach (var one in series)
                {
                    var labels = one!["metric"]!.AsObject();
                    foreach (var label in query.LegendLabels)
                    {
                        labels.ContainsKey(label).ShouldBeTrue($"{query.Where}: legend label {label} is not in {labels.ToJsonString()}\n{query.PromQl}");
                    }
                }
            }
            if (empty.Count == 0)
            {
                break;
            }
            pending = [.. pending.Where(q => empty.Contains($"{q.Where}: {q.PromQl}"))];
            waited.Elapsed.ShouldBeLessThan(AnsweredWithin, "These dashboard queries found no series:\n" + string.Join('\n', empty));
            // Polling interval, not synchronization: rates need two scrapes in their window; the loop ends at the deadline.
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancel);
        }
    }

    [Fact]
    public void Every_metric_the_dashboards_name_is_in_the_served_metrics_text()
    {
        var exported = scraped.MetricsText.Split('\n')
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => MetricNameOfSample().Match(l).Value)
            .ToHashSet(StringComparer.Ordinal);
        var named = PrometheusQueries().SelectMany(q => MetricNames(q.PromQl).Select(m => (Metric: m, q.Where))).ToList();

        // The extraction itself works: names from each kind of dashboard are found, functions and labels are not.
        var names = named.Select(n => n.Metric).ToHashSet(StringComparer.Ordinal);
        names.ShouldContain("http_server_request_duration_seconds_bucket");
        names.ShouldContain("shepherd_db_command_duration_seconds_bucket");
        names.ShouldContain("dotnet_gc_collections_total");
        names.ShouldContain("shepherd_people");
        names.ShouldContain("shepherd_backup_last_success_age_seconds");
        names.ShouldContain("target_info");
        names.ShouldNotContain("rate");
        names.ShouldNotContain("le");
        names.ShouldNotContain("job");

        var missing = named.Where(n => !exported.Contains(n.Metric)).Select(n => $"{n.Metric} ({n.Where})").Distinct().ToList();
        missing.ShouldBeEmpty("Dashboards name metrics that GET /metrics does not export:\n" + string.Join('\n', missing));
    }

    [Fact]
    public async Task The_alloy_config_reads_the_files_shepherd_writes_and_the_fields_its_lines_have()
    {
        var cancel = TestContext.Current.CancellationToken;
        var config = await File.ReadAllTextAsync(AlloyConfig, cancel);

        // The file pattern is Shepherd's own, and it matches the files a real server wrote.
        var path = AlloyPath().Match(config);
        path.Success.ShouldBeTrue("no __path__ in " + AlloyConfig);
        var pattern = Path.GetFileName(path.Groups[1].Value);
        pattern.ShouldBe(ShepherdLogging.FilePrefix + "*" + ShepherdLogging.FileExtension);
        var files = Directory.GetFiles(scraped.LogsFolder, pattern);
        files.ShouldNotBeEmpty($"{pattern} matches nothing in {scraped.LogsFolder}: {string.Join(", ", Directory.GetFiles(scraped.LogsFolder))}");

        // Every field Alloy extracts is a field of the real lines; the request lines have them all but the level.
        var extracted = JsonStageFields(config);
        extracted.Values.ShouldBe(["@t", "@l", "@tr", "@sp", LogFields.RequestId, LogFields.OrganizationId, LogFields.Route, LogFields.StatusCode], ignoreOrder: true);
        var lines = new List<JsonObject>();
        foreach (var file in files)
        {
            await foreach (var line in LogFileSet.ReadLinesAsync(file, cancel))
            {
                lines.Add(JsonNode.Parse(line)!.AsObject());
            }
        }
        var requestLine = lines.FirstOrDefault(l => l[LogFields.Route]?.GetValue<string>() is { } route && route.Contains("campuses", StringComparison.Ordinal));
        requestLine.ShouldNotBeNull("no request line for /api/v1/campuses in " + string.Join(", ", files));
        foreach (var field in extracted.Values.Where(f => f != "@l"))
        {
            requestLine.ContainsKey(field).ShouldBeTrue($"Alloy extracts {field}, the request line has no such field: {requestLine.ToJsonString()}");
        }
        // @l: left out for Information (so Alloy must supply it), and when present it is a Serilog level name, as the
        // Logs dashboard's level variable lists them.
        lines.ShouldContain(l => !l.ContainsKey("@l"));
        config.ShouldContain("template = \"{{ or .Value \\\"Information\\\" }}\"");
        var levels = Enum.GetNames<LogEventLevel>();
        foreach (var level in lines.Select(l => l["@l"]?.GetValue<string>()).OfType<string>())
        {
            levels.ShouldContain(level);
        }
        // @t is RFC 3339 (what stage.timestamp is told) on every line.
        config.ShouldContain("format = \"RFC3339Nano\"");
        foreach (var line in lines)
        {
            DateTimeOffset.TryParseExact(line["@t"]!.GetValue<string>(), "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                .ShouldBeTrue(line.ToJsonString());
        }

        // Labels stay few: the level and the target's job and instance; ids go to structured metadata; the file name is dropped.
        BlockKeys(config, "stage.labels").ShouldBe(["level"]);
        var metadata = BlockKeys(config, "stage.structured_metadata");
        metadata.ShouldBe(["trace_id", "span_id", "request_id", "organization_id", "route", "status_code"], ignoreOrder: true);
        metadata.ShouldBeSubsetOf(extracted.Keys);
        AlloyTargetLabels().Matches(config).Select(m => m.Groups[1].Value).ShouldBe(["job", "instance"], ignoreOrder: true);
        config.ShouldContain("values = [\"filename\"]");
    }

    [Fact]
    public void The_logs_dashboard_selects_streams_by_alloys_labels_and_filters_on_fields_shepherd_writes()
    {
        var logs = LoadDashboards().Single(b => b.Json["uid"]!.GetValue<string>() == "shepherd-logs").Json;
        var exprs = Panels(logs).SelectMany(p => p["targets"]?.AsArray() ?? []).Select(t => t!["expr"]!.GetValue<string>()).ToList();
        exprs.ShouldNotBeEmpty();
        var written = typeof(LogFields).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        foreach (var expr in exprs)
        {
            var selector = StreamSelector().Match(expr);
            selector.Success.ShouldBeTrue(expr);
            LabelMatcher().Matches(selector.Groups[1].Value).Select(m => m.Groups[1].Value).ShouldBeSubsetOf(AlloyLabels, expr);
            // After "| json", filters name the line's own fields.
            var afterJson = expr.IndexOf("| json |", StringComparison.Ordinal);
            if (afterJson >= 0)
            {
                var field = FieldFilter().Match(expr[(afterJson + "| json |".Length)..]);
                field.Success.ShouldBeTrue(expr);
                written.ShouldContain(field.Groups[1].Value, expr);
            }
        }
        var levelVariable = logs["templating"]!["list"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == "level")!;
        levelVariable["query"]!.GetValue<string>().Split(',').ShouldBe(Enum.GetNames<LogEventLevel>());
    }

    [Fact]
    public async Task Loki_keeps_logs_as_long_as_shepherd_keeps_its_files()
    {
        var loki = await File.ReadAllTextAsync(Path.Combine(Deploy, "loki", "loki.yml"), TestContext.Current.CancellationToken);
        loki.ShouldContain($"retention_period: {new LogSettings().RetentionDays * 24}h");
        loki.ShouldContain("retention_enabled: true");
        loki.ShouldContain("allow_structured_metadata: true");
        loki.ShouldContain("schema: v13");
    }

    private sealed record Dashboard(string File, JsonNode Json);

    /// <summary>A dashboard's PromQL with Grafana's variables filled in the way the test Prometheus can run it.</summary>
    private sealed record PromQuery(string Where, string PromQl, IReadOnlyList<string> LegendLabels)
    {
        public bool OnlyFiveHundreds => PromQl.Contains("\"5..\"", StringComparison.Ordinal) && !PromQl.Contains("or vector(0)", StringComparison.Ordinal);
    }

    private static List<Dashboard> LoadDashboards() =>
        [.. Directory.GetFiles(Dashboards, "*.json").Order(StringComparer.Ordinal)
            .Select(f => new Dashboard(Path.GetFileName(f), JsonNode.Parse(File.ReadAllText(f))!))];

    private static IEnumerable<JsonNode> Panels(JsonNode board)
    {
        foreach (var panel in board["panels"]!.AsArray())
        {
            yield return panel!;
            foreach (var inner in panel!["panels"]?.AsArray() ?? [])
            {
                yield return inner!;
            }
        }
    }

    private static IEnumerable<PromQuery> PrometheusQueries()
    {
        foreach (var (file, board) in LoadDashboards())
        {
            foreach (var panel in Panels(board).Where(p => p["datasource"]?["uid"]?.GetValue<string>() == "prometheus"))
            {
                foreach (var target in panel["targets"]!.AsArray())
                {
                    var legend = target!["legendFormat"]?.GetValue<string>() ?? "";
                    yield return new PromQuery($"{file}: {panel["title"]} {target["refId"]}", Substitute(target["expr"]!.GetValue<string>()),
                        [.. LegendLabel().Matches(legend).Select(m => m.Groups[1].Value)]);
                }
            }
            foreach (var variable in board["templating"]!["list"]!.AsArray().Where(v => v!["datasource"]?["uid"]?.GetValue<string>() == "prometheus"))
            {
                // label_values(metric{...}, label) is Grafana's; the series it reads are the PromQL selector inside it.
                var values = LabelValues().Match(variable!["definition"]!.GetValue<string>());
                values.Success.ShouldBeTrue($"{file}: variable {variable["name"]}");
                yield return new PromQuery($"{file}: variable {variable["name"]}", $"count by ({values.Groups[2].Value}) ({Substitute(values.Groups[1].Value)})",
                    [values.Groups[2].Value]);
            }
        }
    }

    private static string Substitute(string expr) => expr
        .Replace("$__rate_interval", "1m", StringComparison.Ordinal)
        .Replace("$__interval", "1m", StringComparison.Ordinal)
        .Replace("$__range", "5m", StringComparison.Ordinal)
        .Replace("$job", ScrapedShepherd.Job, StringComparison.Ordinal)
        .Replace("$instance", ".*", StringComparison.Ordinal);

    /// <summary>The metric names in PromQL: identifiers left once strings, matchers, ranges, grouping labels and functions are taken out.</summary>
    private static IEnumerable<string> MetricNames(string promql)
    {
        var bare = QuotedString().Replace(promql, " ");
        bare = Matchers().Replace(bare, " ");
        bare = Ranges().Replace(bare, " ");
        bare = Grouping().Replace(bare, " ");
        return Identifier().Matches(bare).Select(m => m.Value).Where(w => !PromQlWords.Contains(w, StringComparer.OrdinalIgnoreCase)).Distinct();
    }

    private static List<string> ProvisionedDatasourceUids()
    {
        var text = File.ReadAllText(Path.Combine(Deploy, "grafana", "provisioning", "datasources", "shepherd.yml"));
        return [.. YamlUid().Matches(text).Select(m => m.Groups[1].Value)];
    }

    /// <summary>stage.json's expressions: the name Alloy extracts to → the line's field (JMESPath, @-names quoted).</summary>
    private static Dictionary<string, string> JsonStageFields(string config) =>
        BlockBody(config, "stage.json").Split('\n').Select(l => AlloyAssignment().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Replace("\\\"", "", StringComparison.Ordinal));

    private static List<string> BlockKeys(string config, string block) =>
        [.. BlockBody(config, block).Split('\n').Select(l => AlloyAssignment().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    /// <summary>The text between a block's opening brace and its matching closing one.</summary>
    private static string BlockBody(string config, string block)
    {
        var start = config.IndexOf(block + " {", StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, $"no {block} block");
        var depth = 0;
        for (var i = config.IndexOf('{', start); i < config.Length; i++)
        {
            depth += config[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return config[(config.IndexOf('{', start) + 1)..i];
            }
        }
        throw new InvalidOperationException($"{block} is not closed");
    }

    [GeneratedRegex(@"\{\{\s*(\w+)\s*\}\}")]
    private static partial Regex LegendLabel();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex MetricNameOfSample();

    [GeneratedRegex("\"(?:\\\\.|[^\"\\\\])*\"")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^label_values\((.+),\s*(\w+)\)$")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"^\s*uid:\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex YamlUid();

    [GeneratedRegex("\"__path__\"\\s*=\\s*\"([^\"]+)\"")]
    private static partial Regex AlloyPath();

    [GeneratedRegex("^\\s*\"([a-z]\\w*)\"\\s*=", RegexOptions.Multiline)]
    private static partial Regex AlloyTargetLabels();

    [GeneratedRegex("^\\s*([a-z_]+)\\s*=\\s*\"((?:\\\\\"|[^\"])*)\"")]
    private static partial Regex AlloyAssignment();

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex StreamSelector();

    [GeneratedRegex(@"(\w+)\s*(?:=~|!=|!~|=)")]
    private static partial Regex LabelMatcher();

    [GeneratedRegex(@"^\s*(\w+)\s*(?:>=|<=|>|<|==|!=)")]
    private static partial Regex FieldFilter();
}
