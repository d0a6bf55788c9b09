using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Shepherd.Data;
using Shepherd.Platform.Accounts;

namespace Shepherd.Platform.Web;

/// <summary>
/// The server-rendered web UI (Razor Pages; pages live in their feature or operations folder, routed by their @page
/// line) and authentication: bearer tokens for the API, a cookie session for the pages, either accepted by the policies.
/// </summary>
public static class WebUiRegistration
{
    public static IServiceCollection AddShepherdWebUi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRazorPages(o => o.RootDirectory = "/");
        // Shared partials (_Pager, _Empty) are found by name from any page's folder.
        services.Configure<Microsoft.AspNetCore.Mvc.Razor.RazorViewEngineOptions>(o => o.PageViewLocationFormats.Add("/Platform/Web/Ui/{0}.cshtml"));

        services.AddOptions<WebSessionOptions>().BindConfiguration(WebSessionOptions.Section);
        services.AddSingleton<FirstRunSetup>();
        services.AddHostedService<FirstRunAnnouncement>();
        services.AddHostedService<Mail.MailOutboxSender>();
        var authentication = services.AddAuthentication(WebSchemeSelector.Scheme)
            .AddPolicyScheme(WebSchemeSelector.Scheme, "Bearer token or browser session", o => o.ForwardDefaultSelector = WebSchemeSelector.Select)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddCookie(WebSession.Scheme);
        ExternalSignIn.Add(services, authentication, configuration);
        services.AddOptions<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(WebSession.Scheme)
            .Configure<IOptions<WebSessionOptions>>((o, session) => WebSession.Configure(o, session.Value));
        return services;
    }
}
