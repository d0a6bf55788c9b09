using Shepherd.Platform.Accounts;

namespace Shepherd.Platform.Web;

/// <summary>
/// Which authentication scheme a request uses: a bearer token when it carries one, the browser session for pages, and
/// the session for the API's reads only (so the API's changes stay bearer-only, out of any cross-site request's reach).
/// </summary>
public static class WebSchemeSelector
{
    public const string Scheme = "Shepherd";

    private static readonly string[] ApiPrefixes = ["/api", "/metrics", "/openapi", "/healthz"];

    public static bool IsApi(PathString path) => ApiPrefixes.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

    public static string Select(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers.Authorization.Count > 0)
        {
            return ApiTokenAuthenticationHandler.SchemeName;
        }
        if (!IsApi(request.Path))
        {
            return WebSession.Scheme;
        }
        var read = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        return read && request.Cookies.ContainsKey(WebSession.CookieName) ? WebSession.Scheme : ApiTokenAuthenticationHandler.SchemeName;
    }
}
