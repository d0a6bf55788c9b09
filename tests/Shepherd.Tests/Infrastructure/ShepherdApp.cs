using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data;
using Shepherd.Platform.Accounts;

namespace Shepherd.Tests.Infrastructure;

/// <summary>
/// The real application over a real database, one per provider for the whole test run.
/// Tests isolate themselves by creating their own organization (<see cref="NewOrganizationAsync"/>).
/// </summary>
public abstract class ShepherdApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    private int _organizations;

    public abstract DatabaseProvider Provider { get; }

    /// <summary>Settings the app runs with (provider, connection string, data folder).</summary>
    protected Dictionary<string, string?> Settings { get; } = new()
    {
        // The API tests share one app per provider for the whole run: no nightly job may start in the middle of it.
        ["Shepherd:Jobs:Enabled"] = "false",
        // Nor may the built-in alert evaluator fire on the errors other tests cause on purpose: the alerting tests run their own.
        ["Shepherd:Alerting:Enabled"] = "false",
    };

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Services of this app replaced after the app's own (e.g. a fake clock); for apps a test builds for itself.</summary>
    public Action<IServiceCollection>? ServiceOverrides { get; set; }

    /// <summary>Sets a setting before the app starts; for apps a test builds for itself.</summary>
    public ShepherdApp With(string key, string? value)
    {
        Settings[key] = value;
        return this;
    }

    /// <summary>A setting as this app runs with it.</summary>
    public string? Setting(string key) => Settings.GetValueOrDefault(key);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        if (ServiceOverrides is { } overrides)
        {
            builder.ConfigureTestServices(overrides);
        }
    }

    /// <summary>The settings as configuration, for building services outside the web host (migrations, CLI code).</summary>
    public IConfiguration Configuration => new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();

    /// <summary>Environment variables that point a `shepherd` process at this test database.</summary>
    public IReadOnlyDictionary<string, string?> EnvironmentForCli => Settings.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);

    /// <summary>
    /// A new organization with its administrator and an API client holding a token with the given scopes. The
    /// administrator is a platform administrator only when asked (not because they happen to be the app's first user).
    /// </summary>
    public async Task<ApiClient> NewOrganizationAsync(string[]? scopes = null, bool platformAdministrator = false, CancellationToken cancellationToken = default)
    {
        var number = Interlocked.Increment(ref _organizations);
        var name = $"Church {number} {Guid.NewGuid():N}"[..30];
        var email = $"admin{number}-{Guid.NewGuid():N}@example.org";
        await using var scope = Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<AdministratorSetup>()
            .CreateAsync(email, "correct horse battery staple", name, cancellationToken, platformAdministrator);
        await using (var db = Services.GetRequiredService<ShepherdDbContextFactory>().Create(null, Data.Audit.AuditActor.System))
        {
            await db.Users.Where(u => u.Email == email)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.IsPlatformAdministrator, platformAdministrator), cancellationToken);
        }
        await using var tokenScope = Services.CreateAsyncScope();
        var token = await tokenScope.ServiceProvider.GetRequiredService<ApiTokenIssuer>()
            .IssueAsync(email, "tests", name, scopes ?? [ApiScopes.Read, ApiScopes.Write], null, cancellationToken);
        var http = CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return new ApiClient(http, created.OrganizationId, email, token.Token);
    }

    /// <summary>A context acting for one organization, to check what is really stored.</summary>
    public ShepherdDbContext Database(long organizationId) =>
        Services.GetRequiredService<ShepherdDbContextFactory>().Create(organizationId, Data.Audit.AuditActor.System);
}
