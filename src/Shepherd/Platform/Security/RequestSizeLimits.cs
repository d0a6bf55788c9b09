using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Shepherd.Platform.Security;

/// <summary>
/// Request size limits from Shepherd:Security: Kestrel's body, header and form limits, and a declared body
/// (Content-Length) over the limit answered 413 with problem details before any endpoint reads it. A body that grows
/// past the limit while streaming makes Kestrel throw a 413 BadHttpRequestException, which ApiExceptionHandler turns
/// into problem details too.
/// </summary>
public sealed class RequestSizeLimits(RequestDelegate next, IOptions<SecurityOptions> security, IProblemDetailsService problems)
{
    public static IServiceCollection AddShepherdRequestSizeLimits(IServiceCollection services)
    {
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<SecurityOptions>>((kestrel, security) =>
        {
            var settings = security.Value;
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBodySize;
            kestrel.Limits.MaxRequestHeadersTotalSize = settings.MaxRequestHeadersTotalSize;
            kestrel.Limits.MaxRequestHeaderCount = settings.MaxRequestHeaderCount;
        });
        services.AddOptions<FormOptions>().Configure<IOptions<SecurityOptions>>((form, security) =>
        {
            form.MultipartBodyLengthLimit = security.Value.MaxRequestBodySize;
            form.ValueCountLimit = security.Value.MaxFormValueCount;
        });
        return services;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var limit = security.Value.MaxRequestBodySize;
        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Title = "Request too large",
                    Detail = string.Create(CultureInfo.InvariantCulture,
                        $"The request body is {context.Request.ContentLength} bytes; at most {limit} bytes are accepted."),
                },
            });
            return;
        }
        await next(context);
    }
}
