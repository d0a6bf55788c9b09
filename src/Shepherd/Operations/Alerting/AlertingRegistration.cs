using Shepherd.Operations.Alerting.Delivery;

namespace Shepherd.Operations.Alerting;

/// <summary>The alerting services every mode shares: the catalogue with the administrators' changes and acknowledgement.</summary>
public static class AlertingRegistration
{
    public static IServiceCollection AddShepherdAlerting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AlertingOptions>().Bind(configuration.GetSection(AlertingOptions.Section));
        services.AddOptions<FaultOptions>().Bind(configuration.GetSection(FaultOptions.Section));
        services.AddSingleton<AlertRules>();
        services.AddSingleton<AlertAcknowledgement>();
        services.AddSingleton<Administration.AlertAdministration>();
        services.AddShepherdAlertDelivery();
        services.AddSingleton<AlertEventCounters>();
        services.AddSingleton<AlertSignals>();
        services.AddSingleton<AlertMessages>();
        services.AddSingleton<AlertEvaluator>();
        return services;
    }

    /// <summary>The built-in evaluator's loop, for the modes that run background work (<c>serve</c>, <c>worker</c>).</summary>
    public static IServiceCollection AddShepherdAlertEvaluation(this IServiceCollection services)
    {
        services.AddHostedService<AlertEvaluationService>();
        return services;
    }

    /// <summary>Fault injection (<see cref="FaultOptions"/>) for test instances; validated against the environment here, at start.</summary>
    public static IApplicationBuilder UseShepherdFaultInjection(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var faults = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FaultOptions>>().Value;
        faults.Validate(app.Environment);
        return faults.IsSet ? app.UseMiddleware<FaultInjection>() : app;
    }
}
