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
            // Set as the headers go out: the exception handler clears headers set earlier when it writes an error response.
            var traceId = activity.TraceId.ToHexString();
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[Name] = traceId;
                return Task.CompletedTask;
            });
        }
        return next(context);
    }
}
