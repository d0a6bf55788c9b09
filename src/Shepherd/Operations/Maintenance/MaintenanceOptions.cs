using Microsoft.Extensions.Options;
using Shepherd.Operations.Jobs;

namespace Shepherd.Operations.Maintenance;

/// <summary>The nightly database maintenance: <c>Shepherd:Maintenance:*</c>.</summary>
public sealed class MaintenanceOptions : DailySchedule
{
    public const string Section = "Shepherd:Maintenance";

    /// <summary>After the nightly backup (03:00), still inside the 2–4 AM window.</summary>
    public override string Time { get; set; } = "03:30";

    /// <summary>SQLite: VACUUM when more than this percentage of the file's pages are free.</summary>
    public double VacuumFreePagesPercent { get; set; } = 20;

    /// <summary>PostgreSQL: a transaction open longer than this is reported as a warning.</summary>
    public int LongTransactionSeconds { get; set; } = 300;
}

public sealed class MaintenanceOptionsValidator : IValidateOptions<MaintenanceOptions>
{
    public ValidateOptionsResult Validate(string? name, MaintenanceOptions options)
    {
        var problems = options.Problems(MaintenanceOptions.Section).ToList();
        if (options.VacuumFreePagesPercent is < 0 or > 100)
        {
            problems.Add($"{MaintenanceOptions.Section}:VacuumFreePagesPercent must be between 0 and 100 (default 20).");
        }
        if (options.LongTransactionSeconds < 1)
        {
            problems.Add($"{MaintenanceOptions.Section}:LongTransactionSeconds must be at least 1 (default 300).");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
