using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Audit;

namespace Shepherd.Platform.Accounts;

/// <summary>
/// The first run of a new instance: while nobody has an account, the web UI offers /setup to create the first
/// administrator, guarded by a one-time code printed in the server's log, so that only whoever can read the log (the
/// person who installed Shepherd) can claim the instance, not the first visitor on the network.
/// </summary>
public sealed partial class FirstRunSetup(ShepherdDbContextFactory contexts, ILogger<FirstRunSetup> logger)
{
    /// <summary>Wrong codes accepted before the code is replaced by a new one (printed again).</summary>
    public const int MaxAttempts = 20;

    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private readonly Lock _lock = new();
    private string? _code;
    private int _failures;
    private bool _done;

    /// <summary>True while the instance has no user at all.</summary>
    public async Task<bool> IsNeededAsync(CancellationToken cancellationToken)
    {
        if (_done)
        {
            return false;
        }
        await using var db = contexts.Create(null, AuditActor.System);
        _done = await db.Users.AnyAsync(cancellationToken);
        return !_done;
    }

    /// <summary>Makes the code (once) and prints it; called at startup and again when a page needs it.</summary>
    public async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        if (!await IsNeededAsync(cancellationToken))
        {
            return;
        }
        lock (_lock)
        {
            if (_code is not null)
            {
                return;
            }
            _code = NewCode();
            LogSetupCode(logger, _code);
        }
    }

    /// <summary>Checks a presented code in constant time. Too many wrong codes replace it, so it cannot be guessed.</summary>
    public bool Accepts(string? presented)
    {
        lock (_lock)
        {
            if (_code is null || presented is null)
            {
                return false;
            }
            var normalized = presented.Trim().Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
            var expected = _code.Replace("-", "", StringComparison.Ordinal);
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(normalized), Encoding.ASCII.GetBytes(expected)))
            {
                return true;
            }
            if (++_failures >= MaxAttempts)
            {
                _failures = 0;
                _code = NewCode();
                LogSetupCodeReplaced(logger, MaxAttempts, _code);
            }
            return false;
        }
    }

    /// <summary>The first administrator exists: the code is spent and /setup closes.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _code = null;
            _done = true;
        }
    }

    private static string NewCode()
    {
        var chars = RandomNumberGenerator.GetItems<char>(Alphabet, 12);
        return $"{new string(chars, 0, 4)}-{new string(chars, 4, 4)}-{new string(chars, 8, 4)}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No administrator yet. Open /setup in a browser and enter this one-time setup code: {SetupCode}")]
    private static partial void LogSetupCode(ILogger logger, string setupCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Attempts} wrong setup codes were tried; the old code no longer works. The new one-time setup code: {SetupCode}")]
    private static partial void LogSetupCodeReplaced(ILogger logger, int attempts, string setupCode);
}

/// <summary>Prints the setup code once the database is ready, when the instance has nobody yet.</summary>
public sealed partial class FirstRunAnnouncement(FirstRunSetup setup, ILogger<FirstRunAnnouncement> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await setup.AnnounceAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database is not reachable yet; /setup makes and prints the code when someone opens it.
            LogNotYet(logger, e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check whether this instance needs its first administrator")]
    private static partial void LogNotYet(ILogger logger, Exception exception);
}
