using Microsoft.Extensions.Options;
using Shepherd.Data;

namespace Shepherd.Operations.Alerting;

/// <summary>
/// Settings under <c>Shepherd:Faults</c>: make requests fail on purpose, to prove that alerts fire (the tests and
/// <c>bench/alerting</c>). Refused when the environment is Production.
/// </summary>
public sealed class FaultOptions
{
    public const string Section = "Shepherd:Faults";

    /// <summary>Requests whose path starts with this answer 500; empty turns fault injection off.</summary>
    public string? Path { get; set; }

    /// <summary>When the failures start (UTC); empty: from the start.</summary>
    public DateTimeOffset? From { get; set; }

    /// <summary>When they stop; empty: never.</summary>
    public DateTimeOffset? Until { get; set; }

    public bool IsSet => !string.IsNullOrWhiteSpace(Path);

    /// <exception cref="SettingsException">Set in Production, or a path that does not start with '/'.</exception>
    public void Validate(IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!IsSet)
        {
            return;
        }
        if (environment.IsProduction())
        {
            throw new SettingsException(
                $"{Section}:Path makes requests fail on purpose, for tests: it cannot be set in Production. Remove it, or set DOTNET_ENVIRONMENT=Testing on a test instance.");
        }
        if (!Path!.StartsWith('/'))
        {
            throw new SettingsException($"{Section}:Path '{Path}' must start with '/' (e.g. /api/v1/campuses).");
        }
    }
}

/// <summary>Answers 500 to the requests <see cref="FaultOptions"/> names, between its From and Until on the injected clock.</summary>
public sealed class FaultInjection(RequestDelegate next, IOptions<FaultOptions> options, TimeProvider clock)
{
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var faults = options.Value;
        var now = clock.GetUtcNow();
        if (faults.IsSet && context.Request.Path.StartsWithSegments(faults.Path, StringComparison.OrdinalIgnoreCase)
            && (faults.From is null || now >= faults.From) && (faults.Until is null || now < faults.Until))
        {
            return Results.Problem(
                title: "Injected fault",
                detail: $"{FaultOptions.Section} makes this path fail on purpose (a test instance).",
                statusCode: StatusCodes.Status500InternalServerError).ExecuteAsync(context);
        }
        return next(context);
    }
}
