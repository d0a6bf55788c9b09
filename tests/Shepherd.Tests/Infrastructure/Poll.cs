namespace Shepherd.Tests.Infrastructure;

/// <summary>Waiting for something that happens in the background (a mail sent by a queue, a counter after a reply), bounded.</summary>
public static class Poll
{
    /// <summary>Checks <paramref name="condition"/> every 20 ms until it holds or <paramref name="timeout"/> (default 10 s) has passed; the caller asserts after.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = TimeProvider.System.GetUtcNow() + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition() && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}
