using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Identity;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Operations.Alerting;
using Shepherd.Operations.Backups;
using Shepherd.Operations.Migrations;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Mail;
using Shepherd.Platform.Security;

namespace Shepherd.Platform;

/// <summary>Services every mode needs (serve, worker, shell commands): clock, database, accounts, migrations.</summary>
public static class ShepherdServices
{
    public static IServiceCollection AddShepherdCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddShepherdDatabase(configuration);
        // Keys for cookies, antiforgery and account links (password reset, two-factor sign-in) live in the data folder,
        // so sessions and links survive a restart and the shell commands share them with the server.
        services.AddDataProtection().SetApplicationName("shepherd");
        services.AddOptions<KeyManagementOptions>().Configure<DataFolder, ILoggerFactory>((o, folder, logs) =>
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(folder.Path, "keys")), logs));
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
            // Password reset and e-mail confirmation tokens, two-factor codes and recovery codes.
            .AddDefaultTokenProviders();
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = AccountLinkOptions.From(configuration).LinkLifetime);
        services.AddOptions<AccountLinkOptions>().BindConfiguration(AccountOptions.Section);
        services.AddScoped<Invitations>();
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section);
        services.AddSingleton<MailSender>();
        services.AddSingleton<MailMetrics>();
        services.AddSingleton<MailOutbox>();
        services.AddSingleton<AccountEmails>();
        services.AddScoped<AdministratorSetup>();
        services.AddScoped<AccountSessions>();
        services.AddSingleton<SessionClaims>();
        services.AddMetrics();
        services.AddSingleton<SecurityMetrics>();
        services.AddScoped<TwoFactor>();
        services.AddShepherdPasskeys();
        services.AddScoped<ApiTokenIssuer>();
        services.AddSingleton<ApiTokenValidator>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<SchemaMigrator>();
        services.AddShepherdAlerting(configuration);
        services.AddSingleton(sp => BackupFolder.From(configuration, sp.GetRequiredService<DataFolder>()));
        services.AddSingleton<SqliteBackupSource>().AddSingleton<PostgresBackupSource>();
        services.AddSingleton<BackupWriter>().AddSingleton<BackupVerifier>().AddSingleton<BackupCatalog>();
        services.AddBackupRetention(configuration);
        services.AddSingleton<DatabaseReplacer>().AddSingleton<BackupRestorer>();
        return services;
    }
}
