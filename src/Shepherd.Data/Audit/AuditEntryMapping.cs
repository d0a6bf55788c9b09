using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shepherd.Data.Audit;

internal sealed class AuditEntryMapping : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit_log");
        b.Property(x => x.EntityType).HasMaxLength(64);
        b.Property(x => x.EntityId).HasMaxLength(64);
        b.Property(x => x.Changes).HasMaxLength(20_000);
        b.Property(x => x.IpAddress).HasMaxLength(64);
        b.HasIndex(x => new { x.OrganizationId, x.Action, x.At });
        b.HasIndex(x => new { x.OrganizationId, x.EntityType, x.EntityId });
        b.HasIndex(x => new { x.OrganizationId, x.At });
    }
}
