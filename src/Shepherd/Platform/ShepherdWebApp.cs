using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Scalar.AspNetCore;
using Serilog;
using Shepherd.Data;
using Shepherd.Features;
using Shepherd.Features.Organizations;
using Shepherd.Operations.Alerting;
using Shepherd.Operations.Alerting.Administration;
using Shepherd.Operations.Alerting.Channels;
using Shepherd.Operations.Backups;
using Shepherd.Operations.Health;
using Shepherd.Operations.Jobs;
using Shepherd.Operations.Logs;
using Shepherd.Operations.Migrations;
using Shepherd.Operations.Monitoring;
using Shepherd.Operations.Telemetry;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;
using Shepherd.Platform.Security;
using Shepherd.Platform.Web;

namespace Shepherd.Platform;

/// <summary>Builds the web host for `serve`: services, then the request pipeline. Tests build the same app.</summary>
public static class ShepherdWebApp
{
    /// <summary>Shepherd:Logs:RequestLogging (default true): one log line per request.</summary>
    public const string RequestLoggingSetting = "RequestLogging";

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls("http://localhost:5000");
        }

        builder.Services.AddSerilog((services, logger) =>
        {
            ShepherdLogging.Configure(logger, builder.Configuration, builder.Environment, services);
            logger.WriteToErrorGroups(services);
        }, preserveStaticLogger: true);
        builder.Services.AddShepherdCore(builder.Configuration);
        builder.Services.AddHostedService<DatabaseStartup>();
        builder.Services.AddShepherdJobs(builder.Configuration);
        builder.Services.AddShepherdAlertEvaluation();

        builder.Services.Configure<JsonOptions>(o => ConfigureJson(o.SerializerOptions));
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDetailsSetup.Customize);
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddValidation();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityScheme>());
        builder.Services.AddShepherdHealthChecks();
        builder.Services.AddShepherdTelemetry(builder.Configuration);
        builder.Services.AddShepherdMonitoring(builder.Configuration);

        builder.Services.AddSingleton<RecentTokenValidations>();
        builder.Services.AddSingleton<OrganizationProvisioning>();
        builder.Services.AddShepherdWebUi(builder.Configuration);
        builder.Services.AddResponseCompression(o => o.EnableForHttps = true);
        // Security: headers, rate limits, request size limits, forwarded headers (Platform/Security).
        builder.Services.AddShepherdSecurity();
        builder.Services.AddAuthorizationBuilder()
            // Nothing is open unless an endpoint says so.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPermissionPolicies()
            .AddPolicy(ApiScopes.PlatformReadPolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c => !c.User.MustSetUpTwoFactor())
                .RequireClaim(ApiScopes.PlatformClaim, ApiScopes.PlatformAdministrator).RequireClaim(ApiScopes.ClaimType, ApiScopes.Read))
            .AddPolicy(ApiScopes.PlatformWritePolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c => !c.User.MustSetUpTwoFactor())
                .RequireClaim(ApiScopes.PlatformClaim, ApiScopes.PlatformAdministrator).RequireClaim(ApiScopes.ClaimType, ApiScopes.Write))
            .AddPolicy(ApiScopes.MonitoringPolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c => !c.User.MustSetUpTwoFactor())
                .RequireAssertion(c => c.User.HasClaim(ApiScopes.ClaimType, ApiScopes.Monitoring) || c.User.HasClaim(ApiScopes.PlatformClaim, ApiScopes.PlatformAdministrator)));

        var app = builder.Build();
        // Security: the client IP and scheme from a trusted proxy first, then the security headers on every answer.
        app.UseShepherdForwardedHeadersAndSecurityHeaders();
        // Request logging outermost, so it records the status the client finally got. Shepherd:Logs:RequestLogging=false
        // drops the per-request line only: warnings and errors are still logged.
        if (app.Configuration.GetValue($"{LogSettings.Section}:{RequestLoggingSetting}", true))
        {
            app.UseSerilogRequestLogging(o =>
            {
                ShepherdLogging.ConfigureRequestLogging(o);
                // This host's logger, not the static one: several hosts may share a process (the tests do).
                o.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            });
        }
        app.UseMiddleware<TraceIdHeader>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Security: a declared body over Shepherd:Security:MaxRequestBodySize is refused with 413 before anything reads it.
        app.UseShepherdRequestSizeLimits();
        app.UseMiddleware<StorableQueryText>();
        // Test instances only (refused in Production): requests that fail on purpose, to prove the alerts.
        app.UseShepherdFaultInjection();
        // The stylesheet and scripts are public: served before authentication, compressed, fingerprinted links cached for a year.
        app.UseWhen(Web.Ui.StaticAssets.IsAsset, assets => assets.UseResponseCompression());
        app.UseStaticFiles(Web.Ui.StaticAssets.Options());
        app.UseAuthentication();
        // Security: after authentication, so the API limit can count a valid token by its hash (Platform/Security/RateLimits).
        app.UseRateLimiter();
        app.UseMiddleware<TenantResolution>();
        app.UseAuthorization();

        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/api/reference").AllowAnonymous()
            // Security: Scalar needs inline script and style; this path alone gets the relaxed CSP (SecurityHeaders).
            .WithSecurityHeadersPolicy(SecurityHeaders.ApiReferencePolicy);
        app.MapShepherdHealth();
        app.MapBackupEndpoints();
        app.MapAlertChannelEndpoints();
        app.MapAlertEndpoints();
        app.MapOrganizationsApi();
        app.MapShepherdMetrics();
        app.MapShepherdMonitoring();
        app.MapShepherdApi();
        app.MapRazorPages();
        // The front door: the first page of a signed-in person's menu; the account page sends everyone else to sign in.
        app.MapGet("/", (System.Security.Claims.ClaimsPrincipal user) =>
            TypedResults.Redirect(user.Identity?.IsAuthenticated == true ? Shepherd.Platform.Web.Ui.Navigation.Home(user) : AccountModel.Path))
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.Converters.Add(new StorableStringConverter());
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    }
}
