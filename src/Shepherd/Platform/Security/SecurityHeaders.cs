using NetEscapades.AspNetCore.SecurityHeaders.Infrastructure;

namespace Shepherd.Platform.Security;

/// <summary>
/// Security headers on every response (NetEscapades.AspNetCore.SecurityHeaders). Three policies: pages (a strict CSP
/// without 'unsafe-inline': our Razor pages have no inline script or style, the stylesheet is /css/site.css), the JSON
/// API (CSP default-src 'none': nothing there is a document) and the Scalar API reference, which alone gets a relaxed CSP.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The relaxed policy of the Scalar API reference page (<c>/api/reference</c>).</summary>
    public const string ApiReferencePolicy = "api-reference";

    private const string ApiPolicy = "api";
    private const int OneYearInSeconds = 365 * 24 * 60 * 60;

    public static IServiceCollection AddShepherdSecurityHeaders(this IServiceCollection services)
    {
        services.AddSecurityHeaderPolicies()
            .SetDefaultPolicy(p => Common(p).AddReferrerPolicyStrictOriginWhenCrossOrigin().AddContentSecurityPolicy(csp =>
            {
                csp.AddDefaultSrc().Self();
                csp.AddScriptSrc().Self();
                csp.AddStyleSrc().Self();
                csp.AddImgSrc().Self().Data();
                csp.AddFontSrc().Self();
                csp.AddConnectSrc().Self();
                csp.AddObjectSrc().None();
                csp.AddFrameAncestors().None();
                csp.AddFormAction().Self();
                csp.AddBaseUri().Self();
            }))
            .AddPolicy(ApiPolicy, p => Common(p).AddReferrerPolicyNoReferrer().AddContentSecurityPolicy(csp =>
            {
                csp.AddDefaultSrc().None();
                csp.AddFrameAncestors().None();
            }))
            // Scalar's page starts itself with an inline <script type="module"> (no nonce can be given to it) and its
            // components set inline styles, so this one path allows 'unsafe-inline' for script and style, and Scalar's
            // web fonts. It shows public API documentation only and holds no session data; every other page is strict.
            .AddPolicy(ApiReferencePolicy, p => Common(p).AddReferrerPolicyStrictOriginWhenCrossOrigin().AddContentSecurityPolicy(csp =>
            {
                csp.AddDefaultSrc().Self();
                csp.AddScriptSrc().Self().UnsafeInline();
                csp.AddStyleSrc().Self().UnsafeInline();
                csp.AddImgSrc().Self().Data();
                csp.AddFontSrc().Self().Data().From("https://fonts.scalar.com");
                csp.AddConnectSrc().Self();
                csp.AddObjectSrc().None();
                csp.AddFrameAncestors().None();
                csp.AddFormAction().Self();
                csp.AddBaseUri().Self();
            }))
            .SetPolicySelector(SelectPolicy);
        return services;
    }

    /// <summary>API answers (JSON, metrics text, health) get the API policy unless their endpoint names one.</summary>
    private static IReadOnlyHeaderPolicyCollection SelectPolicy(PolicySelectorContext context)
    {
        if (context.EndpointPolicyName is not null)
        {
            return context.SelectedPolicy;
        }
        var path = context.HttpContext.Request.Path;
        var api = path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz")
            || path.StartsWithSegments("/openapi");
        return api ? context.ConfiguredPolicies[ApiPolicy] : context.SelectedPolicy;
    }

    private static HeaderPolicyCollection Common(HeaderPolicyCollection policy) => policy
        .AddContentTypeOptionsNoSniff()
        .AddFrameOptionsDeny()
        .AddCrossOriginOpenerPolicy(c => c.SameOrigin())
        .AddCrossOriginResourcePolicy(c => c.SameOrigin())
        // Only ever sent on HTTPS requests (the library checks Request.IsHttps, which after UseForwardedHeaders
        // follows X-Forwarded-Proto from a trusted proxy): HSTS on plain HTTP would lock browsers out of a LAN install.
        .AddStrictTransportSecurityMaxAgeIncludeSubDomains(OneYearInSeconds)
        .RemoveServerHeader()
        .AddPermissionsPolicy(p =>
        {
            // The check-in kiosk may later scan QR codes with the camera: it would then allow camera=(self) on its own
            // page's policy. Denied everywhere for now.
            p.AddCamera().None();
            p.AddMicrophone().None();
            p.AddGeolocation().None();
            p.AddPayment().None();
            p.AddUsb().None();
            p.AddAccelerometer().None();
            p.AddGyroscope().None();
            p.AddMagnetometer().None();
            p.AddDisplayCapture().None();
            p.AddMidi().None();
            p.AddFullscreen().None();
            p.AddPictureInPicture().None();
            p.AddSyncXHR().None();
            p.AddXrSpatialTracking().None();
            // Passkeys (WebAuthn) sign-in needs these on our own pages.
            p.AddPublickeyCredentialsGet().Self();
            p.AddPublickeyCredentialsCreate().Self();
        });
}
