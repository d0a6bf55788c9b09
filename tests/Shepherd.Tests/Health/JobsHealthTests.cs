using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using Shepherd.Operations.Backups;
using Shepherd.Operations.Maintenance;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Health;

/// <summary>
/// Shepherd with its jobs on (real clock, nightly triggers far away) and a backup folder that cannot be created
/// (its parent is a file), so a backup run fails while maintenance works.
/// </summary>
public sealed class JobsApp : SqliteApp
{
    public JobsApp()
    {
        Settings["Shepherd:Jobs:Enabled"] = "true";
        Directory.CreateDirectory(DataFolder);
        var blocked = Path.Combine(DataFolder, "blocked");
        File.WriteAllText(blocked, "a file where the backup folder's parent should be");
        Settings["Shepherd:Backups:Folder"] = Path.Combine(blocked, "backups");
    }
}

/// <summary>The "jobs" check reports real runs: a job fired now through the real scheduler, then a failing one.</summary>
public sealed class JobsHealthTests(JobsApp app) : IClassFixture<JobsApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_jobs_check_reports_a_job_run_now_and_turns_degraded_when_a_job_fails()
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: Cancel);
        var scheduler = await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(Cancel);
        var maintenance = DatabaseMaintenanceJob.Key.Name;
        var backup = ScheduledBackupJob.Key.Name;
        var before = await JobsAsync(monitor.Http, HttpStatusCode.OK);
        before["data"]![$"{maintenance}.lastRun"]!.GetValue<string>().ShouldStartWith("never");
        before["data"]![$"{backup}.nextRun"]!.GetValue<string>().ShouldNotBe("not scheduled");

        await scheduler.TriggerJob(DatabaseMaintenanceJob.Key, Cancel);
        var ran = await UntilAsync(monitor.Http, j => j["data"]![$"{maintenance}.lastOutcome"]!.GetValue<string>() != "none");
        ran["data"]![$"{maintenance}.lastOutcome"]!.GetValue<string>().ShouldBe("succeeded", ran.ToJsonString());
        DateTimeOffset.Parse(ran["data"]![$"{maintenance}.lastRun"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeGreaterThan(TimeProvider.System.GetUtcNow().AddMinutes(-5));
        ran["status"]!.GetValue<string>().ShouldBe("Healthy", ran.ToJsonString());

        await scheduler.TriggerJob(ScheduledBackupJob.Key, Cancel);
        var failed = await UntilAsync(monitor.Http, j => j["data"]![$"{backup}.lastOutcome"]!.GetValue<string>() != "none");
        failed["data"]![$"{backup}.lastOutcome"]!.GetValue<string>().ShouldStartWith("failed: ", Case.Sensitive, failed.ToJsonString());
        failed["status"]!.GetValue<string>().ShouldBe("Degraded", failed.ToJsonString());
        failed["description"]!.GetValue<string>().ShouldContain($"{backup} failed at ");
    }

    /// <summary>Polls the "jobs" check (bounded) until the condition holds.</summary>
    private static async Task<JsonObject> UntilAsync(HttpClient http, Func<JsonObject, bool> condition)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(30);
        var jobs = await JobsAsync(http, null);
        while (!condition(jobs) && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(100, Cancel);
            jobs = await JobsAsync(http, null);
        }
        condition(jobs).ShouldBeTrue(jobs.ToJsonString());
        return jobs;
    }

    private static async Task<JsonObject> JobsAsync(HttpClient http, HttpStatusCode? expected)
    {
        using var response = await http.GetAsync("/api/monitoring/health", Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        if (expected is { } code)
        {
            response.StatusCode.ShouldBe(code, text);
        }
        return JsonNode.Parse(text)!["checks"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "jobs")!.AsObject();
    }
}
