using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Shepherd.Tests.Alerting;

/// <summary>One request the receiver got: path, headers and body as text.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string ContentType, string Body);

/// <summary>
/// A webhook endpoint on 127.0.0.1 (Kestrel, port chosen by the OS) that records every request and answers 200, or 500
/// for the first <see cref="FailFirst"/> requests: the far end of Slack, Teams, Discord and generic webhooks in tests.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _seen;

    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    /// <summary>How many requests (counted from the start) answer 500 before the receiver accepts.</summary>
    public int FailFirst { get; set; }

    public string BaseUrl { get; private set; } = "";

    private WebhookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Map("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            Received.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                context.Request.ContentType ?? "", body));
            return Interlocked.Increment(ref _seen) <= FailFirst ? Results.StatusCode(500) : Results.Ok();
        });
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver._app.StartAsync();
        receiver.BaseUrl = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return receiver;
    }

    /// <summary>A URL on this receiver, e.g. "/services/T000/B000/secretpart".</summary>
    public string Url(string path) => BaseUrl + path;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
