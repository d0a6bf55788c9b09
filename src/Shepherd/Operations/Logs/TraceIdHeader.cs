using System.Diagnostics;

namespace Shepherd.Operations.Logs;

/// <summary>
/// Answers every request with <c>X-Trace-Id</c>: the W3C trace id its log lines carry as <c>@tr</c>, so a user's
/// "it failed" with that id finds the exact lines (`grep` or `shepherd logs analyze`).
/// </summary>
public sealed class TraceIdHeader(RequestDelegate next)
{
    public const string Name = "X-Trace-Id";

    public Task InvokeAsync(HttpContext context)
    {
        if (Activity.Current is { } activity)
        {
            context.Response.Headers[Name] = activity.TraceId.ToHexString();
        }
        return next(context);
    }
}
