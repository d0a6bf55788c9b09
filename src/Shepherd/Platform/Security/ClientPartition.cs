using Microsoft.Net.Http.Headers;
using Shepherd.Platform.Accounts;

namespace Shepherd.Platform.Security;

/// <summary>
/// Who a request counts against: the client IP (the forwarded one only when a trusted proxy sent it, see
/// <see cref="ForwardedHeadersSetup"/>) or, for an authenticated bearer token, the token's SHA-256 hash, never its text.
/// </summary>
public static class ClientPartition
{
    private const string TokenPrefix = "token:";
    private const string BearerPrefix = "Bearer ";

    public static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>
    /// A valid bearer token's hash; otherwise the IP, so a flood of made-up tokens still counts against its sender.
    /// </summary>
    public static string TokenOrAddress(HttpContext http)
    {
        var authorization = http.Request.Headers[HeaderNames.Authorization].ToString();
        return http.User.Identity?.IsAuthenticated == true && authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            ? TokenPrefix + TokenHasher.Hash(authorization[BearerPrefix.Length..].Trim())
            : Address(http);
    }

    /// <summary>For logs: an IP as it is, a token partition shortened to "token:" and the hash's first 8 hex digits.</summary>
    public static string Describe(string partition) =>
        partition.StartsWith(TokenPrefix, StringComparison.Ordinal) ? partition[..(TokenPrefix.Length + 8)] : partition;
}
