using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Shepherd.Operations.Logs;
using Shouldly;

namespace Shepherd.Tests.Logs;

/// <summary>`shepherd serve` writes CLEF lines to &lt;data&gt;/logs: one per request, findable by the X-Trace-Id it answered with, never with secrets.</summary>
public sealed class RequestLogTests(ServedLogs served) : IClassFixture<ServedLogs>
{
    [Fact]
    public async Task A_request_line_carries_the_trace_id_the_response_returned_with_route_status_duration_and_organization()
    {
        using var api = served.Serve.CreateClient(served.Church.Token);
        using var response = await api.GetAsync("api/v1/people?apiKey=query-secret-QQQ", TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var traceId = response.Headers.GetValues(TraceIdHeader.Name).Single();
        traceId.Length.ShouldBe(32);

        var line = await served.RequestLineAsync(traceId);

        line.GetProperty("@tr").GetString().ShouldBe(traceId);
        line.GetProperty("@sp").GetString()!.Length.ShouldBe(16);
        line.GetProperty(LogFields.RequestId).GetString().ShouldNotBeNullOrEmpty();
        line.GetProperty(LogFields.RequestMethod).GetString().ShouldBe("GET");
        line.GetProperty(LogFields.RequestPath).GetString().ShouldBe("/api/v1/people");
        line.GetProperty(LogFields.Route).GetString()!.ShouldStartWith("/api/v1/people");
        line.GetProperty(LogFields.StatusCode).GetInt32().ShouldBe(200);
        line.GetProperty(LogFields.Elapsed).GetDouble().ShouldBeGreaterThan(0);
        line.GetProperty(LogFields.OrganizationId).GetInt64().ShouldBe(served.Church.OrganizationId);
        line.ToString().ShouldNotContain("query-secret-QQQ");
    }

    [Fact]
    public async Task Passwords_in_failing_bodies_and_bad_bearer_tokens_never_reach_a_log_file_or_stdout()
    {
        var ct = TestContext.Current.CancellationToken;
        using var api = served.Serve.CreateClient(served.Church.Token);
        // A body that fails binding (a number where text belongs) with a password in it.
        using var body = new StringContent("{\"firstName\": 12, \"password\": \"hunter2-secret-XYZ\"}", Encoding.UTF8, "application/json");
        using var failed = await api.PostAsync("api/v1/people", body, ct);
        ((int)failed.StatusCode).ShouldBeInRange(400, 499);
        using var broken = new StringContent("{\"password\": \"hunter2-secret-XYZ\", ", Encoding.UTF8, "application/json");
        using var unparsable = await api.PostAsync("api/v1/people", broken, ct);
        ((int)unparsable.StatusCode).ShouldBeInRange(400, 499);
        using var stranger = served.Serve.CreateClient();
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "shp_secret_NotARealToken0123456789");
        using var refused = await stranger.GetAsync("api/v1/people", ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        // All three were logged (so the files are current), without the secrets.
        foreach (var response in new[] { failed, unparsable, refused })
        {
            await served.RequestLineAsync(response.Headers.GetValues(TraceIdHeader.Name).Single());
        }
        var text = string.Join('\n', await served.LinesAsync()) + served.Serve.Output;
        text.ShouldNotContain("hunter2-secret-XYZ");
        text.ShouldNotContain("shp_secret_NotARealToken");
        text.ShouldNotContain(served.Church.Token);
    }

    [Fact]
    public async Task Every_line_of_the_log_files_is_a_json_object_and_files_past_retention_are_deleted()
    {
        using var api = served.Serve.CreateClient(served.Church.Token);
        using var response = await api.GetAsync("api/health", TestContext.Current.CancellationToken);
        await served.RequestLineAsync(response.Headers.GetValues(TraceIdHeader.Name).Single());

        var lines = await served.LinesAsync();
        lines.Count.ShouldBeGreaterThan(1);
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            json.RootElement.ValueKind.ShouldBe(JsonValueKind.Object, line);
            json.RootElement.TryGetProperty("@t", out _).ShouldBeTrue(line);
        }
        File.Exists(Path.Combine(served.LogsFolder, ServedLogs.AncientFile)).ShouldBeFalse();
        Directory.GetFiles(served.LogsFolder).ShouldAllBe(f => Path.GetFileName(f).StartsWith("shepherd-", StringComparison.Ordinal) && f.EndsWith(".clef", StringComparison.Ordinal));
    }
}
