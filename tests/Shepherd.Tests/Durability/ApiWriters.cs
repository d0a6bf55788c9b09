using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Shepherd.Tests.Durability;

/// <summary>
/// Several API clients writing at once — a new person, then that person's check-in to a service — each remembering
/// exactly which writes the server acknowledged with 201 Created. A write that got no answer is not counted: it may
/// or may not have been committed, and nothing is promised about it.
/// </summary>
public sealed class ApiWriters(HttpClient api, long serviceId)
{
    private readonly ConcurrentQueue<long> _people = new();
    private readonly ConcurrentQueue<(long ServiceId, long PersonId)> _attendance = new();
    private readonly ConcurrentQueue<string> _refused = new();
    private readonly ConcurrentQueue<HttpRequestException> _cutOff = new();
    private int _acknowledged;
    private int _peopleSent;

    /// <summary>Ids of the people whose POST /api/v1/people was answered 201.</summary>
    public IReadOnlyCollection<long> People => _people;

    /// <summary>Check-ins whose POST /api/v1/services/{id}/attendance was answered 201.</summary>
    public IReadOnlyCollection<(long ServiceId, long PersonId)> Attendance => _attendance;

    /// <summary>Answers other than 201, with their body: none are expected.</summary>
    public IReadOnlyCollection<string> Refused => _refused;

    /// <summary>Writers that stopped because the server stopped answering (it was killed).</summary>
    public IReadOnlyCollection<HttpRequestException> CutOff => _cutOff;

    /// <summary>Acknowledged writes of both kinds.</summary>
    public int Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>POST /api/v1/people requests sent so far, answered or not: at most this many people can exist.</summary>
    public int PeopleSent => Volatile.Read(ref _peopleSent);

    /// <summary>Runs the writers until <paramref name="stop"/>, a refused write, or the server going away.</summary>
    public Task RunAsync(int writers, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(() => WriteAsync(writer, stop), CancellationToken.None)));

    /// <summary>Returns once at least <paramref name="count"/> writes are acknowledged; fails after <paramref name="within"/>.</summary>
    public async Task WaitForAcknowledgedAsync(int count, TimeSpan within)
    {
        var waited = Stopwatch.StartNew();
        while (Acknowledged < count)
        {
            if (!_refused.IsEmpty)
            {
                throw new InvalidOperationException($"A write was refused: {_refused.First()}");
            }
            if (waited.Elapsed > within)
            {
                throw new TimeoutException($"Only {Acknowledged} of {count} writes were acknowledged within {within}.");
            }
            // Polling interval: short, so the crash lands right after the count is reached, mid-stream.
            await Task.Delay(TimeSpan.FromMilliseconds(2));
        }
    }

    private async Task WriteAsync(int writer, CancellationToken stop)
    {
        try
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                Interlocked.Increment(ref _peopleSent);
                var person = await CreateAsync("api/v1/people", new { firstName = $"Writer{writer}", lastName = $"Write {n}" }, stop);
                if (person is null)
                {
                    return;
                }
                var personId = person["id"]!.GetValue<long>();
                _people.Enqueue(personId);
                Interlocked.Increment(ref _acknowledged);

                if (await CreateAsync($"api/v1/services/{serviceId}/attendance", new { personId }, stop) is null)
                {
                    return;
                }
                _attendance.Enqueue((serviceId, personId));
                Interlocked.Increment(ref _acknowledged);
            }
        }
        catch (HttpRequestException e)
        {
            _cutOff.Enqueue(e);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Told to stop while a request was in flight: that write is simply not counted.
        }
    }

    /// <summary>The created resource, or null (recorded in <see cref="Refused"/>) for any answer but 201.</summary>
    private async Task<JsonObject?> CreateAsync(string url, object body, CancellationToken stop)
    {
        // The default completion option reads the whole body before returning, so an answer counts only once complete.
        using var response = await api.PostAsJsonAsync(url, body, stop);
        var text = await response.Content.ReadAsStringAsync(stop);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            _refused.Enqueue($"POST {url}: {(int)response.StatusCode} {text}");
            return null;
        }
        return JsonNode.Parse(text)!.AsObject();
    }
}
