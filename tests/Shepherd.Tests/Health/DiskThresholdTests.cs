using System.Net;
using System.Text.Json.Nodes;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Health;

/// <summary>Shepherd whose "unhealthy" disk threshold (100 % free) is above any drive's free space.</summary>
public sealed class DiskUnhealthyApp : SqliteApp
{
    public DiskUnhealthyApp()
    {
        Settings["Shepherd:Health:DiskDegradedFreePercent"] = "100";
        Settings["Shepherd:Health:DiskUnhealthyFreePercent"] = "100";
    }
}

/// <summary>Shepherd whose "degraded" disk threshold (100 % free) is above any drive's free space; "unhealthy" is off.</summary>
public sealed class DiskDegradedApp : SqliteApp
{
    public DiskDegradedApp()
    {
        Settings["Shepherd:Health:DiskDegradedFreePercent"] = "100";
        Settings["Shepherd:Health:DiskUnhealthyFreePercent"] = "0";
    }
}

/// <summary>A full disk through HTTP: the monitoring endpoint's code and the disk entry with its threshold; readiness is not about disk.</summary>
public sealed class DiskUnhealthyTests(DiskUnhealthyApp app) : IClassFixture<DiskUnhealthyApp>
{
    [Fact]
    public async Task Free_space_below_the_unhealthy_threshold_makes_monitoring_health_503_with_disk_unhealthy_and_the_threshold()
    {
        var disk = await DiskThreshold.DiskAsync(app, HttpStatusCode.ServiceUnavailable, "Unhealthy");

        disk["status"]!.GetValue<string>().ShouldBe("Unhealthy");
        disk["data"]!["unhealthyBelowFreePercent"]!.GetValue<double>().ShouldBe(100);
        disk["data"]!["freePercent"]!.GetValue<double>().ShouldBeLessThan(100);
        disk["description"]!.GetValue<string>().ShouldContain("free space now");
        await DiskThreshold.ReadinessShouldBeOkAsync(app);
    }
}

public sealed class DiskDegradedTests(DiskDegradedApp app) : IClassFixture<DiskDegradedApp>
{
    [Fact]
    public async Task Free_space_below_the_degraded_threshold_keeps_monitoring_health_200_with_disk_degraded_and_the_threshold()
    {
        var disk = await DiskThreshold.DiskAsync(app, HttpStatusCode.OK, "Degraded");

        disk["status"]!.GetValue<string>().ShouldBe("Degraded");
        disk["data"]!["degradedBelowFreePercent"]!.GetValue<double>().ShouldBe(100);
        disk["description"]!.GetValue<string>().ShouldContain("running low");
        await DiskThreshold.ReadinessShouldBeOkAsync(app);
    }
}

internal static class DiskThreshold
{
    /// <summary>Reads /api/monitoring/health with a monitoring token, expecting the code and overall status; returns "disk".</summary>
    public static async Task<JsonObject> DiskAsync(ShepherdApp app, HttpStatusCode expected, string overall)
    {
        using var monitor = await app.NewOrganizationAsync([ApiScopes.Monitoring], cancellationToken: TestContext.Current.CancellationToken);
        var body = await MonitoringHealth.MonitoringAsync(monitor.Http, expected);
        body["status"]!.GetValue<string>().ShouldBe(overall, body.ToJsonString());
        return body["checks"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "disk")!.AsObject();
    }

    public static async Task ReadinessShouldBeOkAsync(ShepherdApp app)
    {
        using var http = app.CreateClient();
        using var ready = await http.GetAsync("/healthz/ready", TestContext.Current.CancellationToken);
        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
