namespace Shepherd.Operations.Logs;

/// <summary>
/// The names Shepherd's log lines are written and read with, in one place so the writer (request logging) and the reader
/// (<c>shepherd logs analyze</c>) cannot drift apart. CLEF's own fields (<c>@t</c>, <c>@mt</c>, <c>@l</c>, <c>@x</c>,
/// <c>@tr</c>, <c>@sp</c>) carry time, template, level, exception, trace id and span id.
/// </summary>
public static class LogFields
{
    public const string RequestMethod = "RequestMethod";
    public const string RequestPath = "RequestPath";
    public const string Route = "Route";
    public const string StatusCode = "StatusCode";
    public const string Elapsed = "Elapsed";
    public const string RequestId = "RequestId";
    public const string OrganizationId = "OrganizationId";
    public const string ClientIp = "ClientIp";
    public const string EventId = "EventId";

    /// <summary>One line per request, written when the response is complete.</summary>
    public const string RequestTemplate =
        "HTTP {" + RequestMethod + "} {" + RequestPath + "} responded {" + StatusCode + "} in {" + Elapsed + ":0.0000} ms";
}

/// <summary>Named events that operations tooling counts. The sign-in feature logs <see cref="SignInFailed"/> with a <c>ClientIp</c>.</summary>
public static class LogEventNames
{
    /// <summary>A sign-in attempt that failed (wrong password, unknown account, locked out): EventId name, with <see cref="LogFields.ClientIp"/>.</summary>
    public const string SignInFailed = "SignInFailed";
}
