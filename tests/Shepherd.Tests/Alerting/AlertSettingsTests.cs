using Shepherd.Data;
using Shepherd.Tests.Cli;
using Shepherd.Tests.Jobs;
using Shouldly;

namespace Shepherd.Tests.Alerting;

/// <summary>Bad alerting settings stop the start with the setting's name and the fix; fault injection is refused in Production.</summary>
public sealed class AlertSettingsTests
{
    [Theory]
    [InlineData("Shepherd:Alerting:TimeZone", "Mars/Olympus_Mons", "Shepherd:Alerting:TimeZone 'Mars/Olympus_Mons' is not a known IANA time zone (e.g. America/Chicago or UTC).")]
    [InlineData("Shepherd:Alerting:EvaluationInterval", "00:00:00.100", "Shepherd:Alerting:EvaluationInterval is 00:00:00.1000000: it must be between 00:00:01 and 00:05:00 (e.g. 00:00:15).")]
    [InlineData("Shepherd:Alerting:EscalateAfter", "00:00:10", "Shepherd:Alerting:EscalateAfter is 00:00:10: it must be at least 00:01:00 (e.g. 00:15:00).")]
    [InlineData("Shepherd:Alerting:AvailabilityObjective", "1.5", "Shepherd:Alerting:AvailabilityObjective is 1.5: it must be between 0 and 1 (e.g. 0.995 for 99.5 %).")]
    public async Task A_bad_alerting_setting_stops_the_worker_at_start_with_a_message_naming_it(string setting, string value, string message)
    {
        await using var db = new SqliteCliDatabase();
        using var host = JobHost.Build(db, new Dictionary<string, string?> { [setting] = value });

        var failure = await Should.ThrowAsync<SettingsException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        failure.Message.ShouldBe(message);
    }

    [Theory]
    [InlineData("Production", "/api/v1/campuses", "Shepherd:Faults:Path makes requests fail on purpose, for tests: it cannot be set in Production.")]
    [InlineData("Testing", "api/v1/campuses", "Shepherd:Faults:Path 'api/v1/campuses' must start with '/' (e.g. /api/v1/campuses).")]
    public async Task Serve_refuses_fault_injection_in_production_and_a_path_that_is_not_one(string environment, string path, string message)
    {
        await using var db = new SqliteCliDatabase();
        var settings = new Dictionary<string, string?>(db.Environment) { ["DOTNET_ENVIRONMENT"] = environment, ["Shepherd__Faults__Path"] = path };

        var serve = await ShepherdProcess.RunAsync(settings, TimeSpan.FromMinutes(1), "serve", "--urls", "http://127.0.0.1:0");

        serve.ExitCode.ShouldBe(1, serve.ToString());
        serve.Stderr.Trim().ShouldStartWith(message);
    }
}
