using System.Collections.Concurrent;
using System.Security.Claims;

namespace Shepherd.Platform.Accounts;

/// <summary>
/// API tokens that the database validated recently (by their SHA-256 hash, as stored; never the token), with the claims
/// they got. Used only while the database does not answer: a monitoring token validated within
/// <see cref="OutageGrace"/> keeps reading health and metrics, so an operator can see what is wrong. Bounded in size.
/// </summary>
public sealed class RecentTokenValidations(TimeProvider clock)
{
    public const int Capacity = 1000;

    public static readonly TimeSpan OutageGrace = TimeSpan.FromMinutes(15);

    /// <summary>Outage warnings are logged at most this often, so an outage does not flood the log.</summary>
    public static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Validation> _validations = new(StringComparer.Ordinal);
    private long _lastWarningTicks = long.MinValue;

    public int Count => _validations.Count;

    public void Remember(string tokenHash, IReadOnlyList<Claim> claims)
    {
        var now = clock.GetUtcNow();
        if (_validations.Count >= Capacity && !_validations.ContainsKey(tokenHash))
        {
            Trim(now);
        }
        _validations[tokenHash] = new Validation(claims.Select(c => (c.Type, c.Value)).ToArray(), now);
    }

    public void Forget(string tokenHash) => _validations.TryRemove(tokenHash, out _);

    /// <summary>The claims of the token when the database validated it within the grace period, else null.</summary>
    public IReadOnlyList<(string Type, string Value)>? Recent(string tokenHash)
    {
        if (!_validations.TryGetValue(tokenHash, out var validation))
        {
            return null;
        }
        return clock.GetUtcNow() - validation.At <= OutageGrace ? validation.Claims : null;
    }

    /// <summary>True at most once per <see cref="WarningInterval"/>.</summary>
    public bool ShouldWarn()
    {
        var now = clock.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastWarningTicks);
        return now - last >= WarningInterval.Ticks && Interlocked.CompareExchange(ref _lastWarningTicks, now, last) == last;
    }

    /// <summary>Drops expired validations, then the oldest ones until there is room for one more.</summary>
    private void Trim(DateTimeOffset now)
    {
        foreach (var (hash, validation) in _validations)
        {
            if (now - validation.At > OutageGrace)
            {
                _validations.TryRemove(hash, out _);
            }
        }
        var excess = _validations.Count - Capacity + 1;
        if (excess > 0)
        {
            foreach (var hash in _validations.OrderBy(v => v.Value.At).Take(excess).Select(v => v.Key).ToList())
            {
                _validations.TryRemove(hash, out _);
            }
        }
    }

    private sealed record Validation((string Type, string Value)[] Claims, DateTimeOffset At);
}
