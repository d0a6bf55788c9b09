using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shepherd.Data.Alerting;

internal sealed class AlertRuleSettingMapping : IEntityTypeConfiguration<AlertRuleSetting>
{
    public void Configure(EntityTypeBuilder<AlertRuleSetting> b)
    {
        b.HasKey(x => x.RuleName);
        b.Property(x => x.RuleName).HasMaxLength(100);
    }
}

internal sealed class AlertIncidentMapping : IEntityTypeConfiguration<AlertIncident>
{
    public void Configure(EntityTypeBuilder<AlertIncident> b)
    {
        b.Property(x => x.RuleName).HasMaxLength(100);
        b.Property(x => x.Summary).HasMaxLength(300);
        b.Property(x => x.AcknowledgedBy).HasMaxLength(300);
        b.Property(x => x.SuppressedBy).HasMaxLength(300);
        b.HasIndex(x => new { x.Status, x.RuleName });
        b.HasIndex(x => x.FiredAt);
    }
}

internal sealed class AlertChannelMapping : IEntityTypeConfiguration<AlertChannel>
{
    public void Configure(EntityTypeBuilder<AlertChannel> b)
    {
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Target).HasMaxLength(2000);
        b.Property(x => x.ProtectedSecret).HasMaxLength(2000);
        b.Property(x => x.LastError).HasMaxLength(1000);
        b.HasIndex(x => x.Name).IsUnique();
    }
}

internal sealed class AlertSilenceMapping : IEntityTypeConfiguration<AlertSilence>
{
    public void Configure(EntityTypeBuilder<AlertSilence> b)
    {
        b.Property(x => x.Label).HasMaxLength(32);
        b.Property(x => x.Value).HasMaxLength(100);
        b.Property(x => x.Reason).HasMaxLength(500);
        b.HasIndex(x => x.EndsAt);
    }
}

internal sealed class AlertMaintenanceWindowMapping : IEntityTypeConfiguration<AlertMaintenanceWindow>
{
    public void Configure(EntityTypeBuilder<AlertMaintenanceWindow> b)
    {
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Days).HasMaxLength(40);
        b.Property(x => x.TimeZone).HasMaxLength(64);
        b.Property(x => x.Severities).HasMaxLength(20);
    }
}

internal sealed class AlertNotificationMapping : IEntityTypeConfiguration<AlertNotification>
{
    public void Configure(EntityTypeBuilder<AlertNotification> b)
    {
        b.Property(x => x.Subject).HasMaxLength(300);
        b.Property(x => x.Body).HasMaxLength(20000);
        b.Property(x => x.Payload).HasMaxLength(20000);
        b.Property(x => x.LastError).HasMaxLength(1000);
        b.HasOne(x => x.Channel).WithMany().HasForeignKey(x => x.ChannelId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.Incidents).WithMany().UsingEntity("alert_notification_incidents");
        b.HasIndex(x => new { x.Status, x.NextAttemptAt });
        b.HasIndex(x => x.CreatedAt);
    }
}

internal sealed class AlertEvaluatorLeaseMapping : IEntityTypeConfiguration<AlertEvaluatorLease>
{
    public void Configure(EntityTypeBuilder<AlertEvaluatorLease> b)
    {
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.Holder).HasMaxLength(200);
        b.HasData(new AlertEvaluatorLease { Id = 1, ExpiresAt = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero) });
    }
}
