using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
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
        // Cookie and antiforgery keys live in the data folder, so sessions survive a restart.
        services.AddDataProtection().SetApplicationName("shepherd");
        services.AddOptions<KeyManagementOptions>().Configure<DataFolder, ILoggerFactory>((o, folder, logs) =>
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(folder.Path, "keys")), logs));

        services.AddOptions<WebSessionOptions>().BindConfiguration(WebSessionOptions.Section);
        services.AddSingleton<FirstRunSetup>();
        services.AddHostedService<FirstRunAnnouncement>();
        services.AddAuthentication(WebSchemeSelector.Scheme)
            .AddPolicyScheme(WebSchemeSelector.Scheme, "Bearer token or browser session", o => o.ForwardDefaultSelector = WebSchemeSelector.Select)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddCookie(WebSession.Scheme);
        services.AddOptions<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(WebSession.Scheme)
            .Configure<IOptions<WebSessionOptions>>((o, session) => WebSession.Configure(o, session.Value));
        return services;
    }
}
