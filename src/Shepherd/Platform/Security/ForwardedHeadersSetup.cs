using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Shepherd.Platform.Security;

/// <summary>
/// X-Forwarded-For/Proto/Host from a reverse proxy, believed only when the connection comes from a proxy listed in
/// Shepherd:Security:KnownProxies or KnownNetworks (default: loopback only). From anyone else the headers are ignored,
/// so a client cannot pick its own IP for rate limits and logs, nor claim HTTPS.
/// </summary>
public sealed class ForwardedHeadersSetup(IOptions<SecurityOptions> security) : IConfigureOptions<ForwardedHeadersOptions>
{
    public void Configure(ForwardedHeadersOptions options)
    {
        var settings = security.Value;
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
        options.ForwardLimit = settings.ForwardLimit;
        if (settings.KnownProxies.Length == 0 && settings.KnownNetworks.Length == 0)
        {
            return; // ASP.NET Core's defaults: 127.0.0.0/8 and ::1.
        }
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in settings.KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address) ? address
                : throw new OptionsValidationException(SecurityOptions.Section, typeof(SecurityOptions),
                    [$"{SecurityOptions.Section}:KnownProxies: '{proxy}' is not an IP address."]));
        }
        foreach (var network in settings.KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed) ? parsed
                : throw new OptionsValidationException(SecurityOptions.Section, typeof(SecurityOptions),
                    [$"{SecurityOptions.Section}:KnownNetworks: '{network}' is not a network in CIDR notation (like 10.0.0.0/8)."]));
        }
    }
}
