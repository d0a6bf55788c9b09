namespace Shepherd.Operations.Backups;

public static class BackupRetentionRegistration
{
    /// <summary>`backup prune`: the retention settings, the policy and the pruner.</summary>
    public static IServiceCollection AddBackupRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<BackupRetentionOptions>(configuration.GetSection(BackupRetentionOptions.Section));
        return services.AddSingleton<BackupRetentionPolicy>().AddSingleton<BackupPruner>();
    }
}
