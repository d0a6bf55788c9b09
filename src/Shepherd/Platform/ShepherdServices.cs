using Microsoft.AspNetCore.Identity;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Operations.Backups;
using Shepherd.Operations.Migrations;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Mail;

namespace Shepherd.Platform;

/// <summary>Services every mode needs (serve, worker, shell commands): clock, database, accounts, migrations.</summary>
public static class ShepherdServices
{
    public static IServiceCollection AddShepherdCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddShepherdDatabase(configuration);
        services.AddIdentityCore<ShepherdUser>(o =>
            {
                // Length over composition rules (NIST SP 800-63B): long passphrases, no forced symbols.
                o.Password.RequiredLength = 10;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.User.RequireUniqueEmail = true;
                var accounts = AccountOptions.From(configuration);
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = accounts.LockoutAttempts;
                o.Lockout.DefaultLockoutTimeSpan = accounts.LockoutDuration;
            })
            .AddEntityFrameworkStores<ShepherdDbContext>()
            // Password reset and e-mail confirmation tokens (data protection: keys in the data folder for the web host).
            .AddDefaultTokenProviders();
        services.AddDataProtection();
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = AccountLinkOptions.From(configuration).LinkLifetime);
        services.AddOptions<AccountLinkOptions>().BindConfiguration(AccountOptions.Section);
        services.AddScoped<Invitations>();
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section);
        services.AddSingleton<MailSender>();
        services.AddSingleton<AccountEmails>();
        services.AddScoped<AdministratorSetup>();
        services.AddScoped<AccountSessions>();
        services.AddSingleton<SessionClaims>();
        services.AddScoped<ApiTokenIssuer>();
        services.AddSingleton<ApiTokenValidator>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton(sp => BackupFolder.From(configuration, sp.GetRequiredService<DataFolder>()));
        services.AddSingleton<SqliteBackupSource>().AddSingleton<PostgresBackupSource>();
        services.AddSingleton<BackupWriter>().AddSingleton<BackupVerifier>().AddSingleton<BackupCatalog>();
        services.AddBackupRetention(configuration);
        services.AddSingleton<DatabaseReplacer>().AddSingleton<BackupRestorer>();
        return services;
    }
}
