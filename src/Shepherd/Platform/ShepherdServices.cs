using Microsoft.AspNetCore.Identity;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Operations.Backups;
using Shepherd.Operations.Migrations;
using Shepherd.Platform.Accounts;

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
            })
            .AddEntityFrameworkStores<ShepherdDbContext>();
        services.AddScoped<AdministratorSetup>();
        services.AddScoped<ApiTokenIssuer>();
        services.AddSingleton<ApiTokenValidator>();
        services.AddSingleton<Features.Audit.AuditLog>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton(sp => BackupFolder.From(configuration, sp.GetRequiredService<DataFolder>()));
        services.AddSingleton<SqliteBackupSource>().AddSingleton<PostgresBackupSource>();
        services.AddSingleton<BackupWriter>().AddSingleton<BackupVerifier>().AddSingleton<BackupCatalog>();
        services.AddBackupRetention(configuration);
        services.AddSingleton<DatabaseReplacer>().AddSingleton<BackupRestorer>();
        return services;
    }
}
