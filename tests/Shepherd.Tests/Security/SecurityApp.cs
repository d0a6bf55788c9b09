using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Security;

/// <summary>
/// The app with tiny rate limits and body limit, and a peer address per request: the in-process test server has no
/// TCP connection, so <see cref="PeerAddress"/> plays the connecting machine (Kestrel sets it in production).
/// </summary>
public sealed partial class SecurityApp : SqliteApp
{
    public const int SignInLimit = 3;
    public const int ApiLimit = 5;
    public const int MaxBody = 100_000;

    public SecurityApp()
    {
        Settings["Shepherd:Security:RateLimits:SignIn:PermitLimit"] = SignInLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Shepherd:Security:RateLimits:SignIn:Window"] = "01:00:00";
        Settings["Shepherd:Security:RateLimits:Api:PermitLimit"] = ApiLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Shepherd:Security:RateLimits:Api:Window"] = "01:00:00";
        Settings["Shepherd:Security:MaxRequestBodySize"] = MaxBody.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, PeerAddress>());
    }

    /// <summary>A client whose requests come from <paramref name="peer"/>; a browser keeps cookies and sees redirects.</summary>
    public HttpClient From(string peer)
    {
        var http = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        http.DefaultRequestHeaders.Add(PeerAddress.Header, peer);
        return http;
    }

    /// <summary>Posts the sign-in form (with its antiforgery field) with a token that does not exist.</summary>
    public static async Task<HttpResponseMessage> PostWrongTokenAsync(HttpClient browser, string? forwardedFor = null, CancellationToken cancellationToken = default)
    {
        var form = await browser.GetStringAsync("/signin", cancellationToken);
        var antiforgery = AntiforgeryField().Match(form);
        antiforgery.Success.ShouldBeTrue("the sign-in page has an antiforgery field");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Token"] = "shp_" + new string('x', 43),
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(antiforgery.Groups[1].Value),
            }),
        };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        return await browser.SendAsync(request, cancellationToken);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

/// <summary>Sets the connection's remote address from the X-Test-Peer header (default 198.51.100.1), before anything else runs.</summary>
public sealed class PeerAddress : IStartupFilter
{
    public const string Header = "X-Test-Peer";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress = IPAddress.Parse(context.Request.Headers[Header] is [{ } peer] ? peer : "198.51.100.1");
            return nextMiddleware(context);
        });
        next(app);
    };
}

/// <summary>The security tests share one <see cref="SecurityApp"/>; each uses its own peer addresses and tokens.</summary>
[CollectionDefinition(Name)]
public sealed class SecurityCollection : ICollectionFixture<SecurityApp>
{
    public const string Name = "Security";
}
