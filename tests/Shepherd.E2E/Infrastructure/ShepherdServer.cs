using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Platform;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Accounts;
using Shepherd.Tests.Cli;

namespace Shepherd.E2E.Infrastructure;

/// <summary>A user the tests can sign in as.</summary>
public sealed record Account(string Email, string Password);

/// <summary>
/// A real `shepherd serve` child process on a free loopback port, on its own SQLite data folder, sending mail to an
/// in-process SMTP sink. Started once per test class (a class fixture); the folder is deleted afterwards.
/// </summary>
public partial class ShepherdServer : IAsyncLifetime
{
    public const string Password = "correct horse battery staple";

    /// <summary>Wrong passwords in a row before an account locks (low, so a test reaches it quickly).</summary>
    public const int LockoutAttempts = 3;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "shepherd-e2e", Guid.NewGuid().ToString("N"));
    private ServiceProvider? _services;
    private ServeProcess? _serve;

    public ShepherdServer()
    {
        Settings["Shepherd:DataFolder"] = _folder;
        Settings["Shepherd:Database:Provider"] = "Sqlite";
        Settings["Shepherd:Accounts:LockoutAttempts"] = LockoutAttempts.ToString(CultureInfo.InvariantCulture);
        // Every test signs in from 127.0.0.1: the per-address limits would otherwise refuse the later tests.
        Settings["Shepherd:Security:RateLimits:SignIn:PermitLimit"] = "1000";
        Settings["Shepherd:Security:RateLimits:PasswordReset:PermitLimit"] = "1000";
        // The tests count the e-mails an address gets: no alert (e.g. the failed sign-ins of the lockout test) may add one.
        Settings["Shepherd:Alerting:Enabled"] = "false";
    }

    /// <summary>The server's settings (configuration keys); change them in a subclass's constructor.</summary>
    protected Dictionary<string, string?> Settings { get; } = [];

    public ServeProcess Serve => _serve ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>The address the browser opens (the server's loopback address unless a subclass names it otherwise).</summary>
    public virtual Uri Address => Serve.Address;

    public SmtpTestServer Smtp { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync()
    {
        Smtp = await SmtpTestServer.StartAsync();
        foreach (var (key, value) in Smtp.ShepherdSettings)
        {
            // A subclass's own setting wins (e.g. no public URL, so passkeys belong to the address the browser opens).
            Settings.TryAdd(key, value);
        }
        // SQLite migrates itself when serve starts.
        _serve = await ServeProcess.StartAsync(Settings.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value));
    }

    /// <summary>The one-time setup code, read from what the server printed (it prints one while nobody has an account).</summary>
    public async Task<string> SetupCodeAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var match = SetupCodeLine().Match(Serve.Output);
            if (match.Success)
            {
                return match.Groups[1].Value;
            }
            try
            {
                // Polling interval; the loop ends on the line or the deadline.
                await Task.Delay(100, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The server printed no setup code:\n{Serve.Output}");
            }
        }
    }

    /// <summary>Creates an organization and its administrator directly in the server's database; returns the organization's id.</summary>
    public async Task<long> NewOrganizationAsync(Account administrator, string name)
    {
        await using var scope = Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<AdministratorSetup>()
            .CreateAsync(administrator.Email, administrator.Password, name, CancellationToken.None);
        return created.OrganizationId;
    }

    /// <summary>A new user with <paramref name="role"/> in <paramref name="organizationId"/> (e-mail confirmed), written to the server's database.</summary>
    public async Task<Account> NewUserAsync(long organizationId, OrganizationRole role, string name = "member")
    {
        var email = $"{name}-{Guid.NewGuid():N}@grace.example";
        var now = TimeProvider.System.GetUtcNow();
        await using (var scope = Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ShepherdUser>>();
            var created = await users.CreateAsync(
                new ShepherdUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = now }, Password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException(string.Join(" ", created.Errors.Select(e => e.Description)));
            }
        }
        await using var db = Services.GetRequiredService<ShepherdDbContextFactory>().Create(organizationId, AuditActor.System);
        var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
        db.Memberships.Add(new OrganizationMembership { UserId = userId, Role = role, CreatedAt = now });
        await db.SaveChangesAsync();
        return new Account(email, Password);
    }

    /// <summary>Writes records straight to an organization's data (what a test's user may not set up themselves, such as badge types).</summary>
    public async Task SeedAsync(long organizationId, Func<ShepherdDbContext, Task> seed)
    {
        await using var db = Services.GetRequiredService<ShepherdDbContextFactory>().Create(organizationId, AuditActor.System);
        await seed(db);
        await db.SaveChangesAsync();
    }

    /// <summary>Shepherd's services on the server's database, to prepare data the way the CLI would.</summary>
    private ServiceProvider Services => _services ??= new ServiceCollection().AddLogging()
        .AddShepherdCore(new ConfigurationBuilder().AddInMemoryCollection(Settings).Build())
        .BuildServiceProvider();

    public virtual async ValueTask DisposeAsync()
    {
        if (_serve is not null)
        {
            await _serve.DisposeAsync();
        }
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
        if (Smtp is not null)
        {
            await Smtp.DisposeAsync();
        }
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
        GC.SuppressFinalize(this);
    }

    [GeneratedRegex("\"SetupCode\":\"([A-Z0-9-]{14})\"")]
    private static partial Regex SetupCodeLine();
}

/// <summary>A server with one organization, "Grace Church", and its administrator; tests add the users they need.</summary>
public sealed class ChurchServer : ShepherdServer
{
    public const string OrganizationName = "Grace Church";

    public long OrganizationId { get; private set; }

    public Account Administrator { get; } = new("pastor@grace.example", Password);

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        OrganizationId = await NewOrganizationAsync(Administrator, OrganizationName);
    }

    /// <summary>A new staff member (no two-factor requirement for the role) of Grace Church.</summary>
    public Task<Account> NewMemberAsync(string name = "member") => NewUserAsync(OrganizationId, OrganizationRole.Staff, name);
}
