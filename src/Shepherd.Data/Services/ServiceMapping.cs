using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shepherd.Data.Groups;
using Shepherd.Data.Organizations;

namespace Shepherd.Data.Services;

internal sealed class ServiceMapping : IEntityTypeConfiguration<Service>
{
    public void Configure(EntityTypeBuilder<Service> b)
    {
        b.Property(x => x.Notes).HasMaxLength(2000);
        b.HasOne<Campus>().WithMany().HasForeignKey(x => x.CampusId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.OrganizationId, x.Date });
        b.HasIndex(x => new { x.CampusId, x.StartsAt });
        b.HasOne<ServiceSchedule>().WithMany().HasForeignKey(x => x.ScheduleId).OnDelete(DeleteBehavior.SetNull);
        // Planning the same weeks twice makes nothing new.
        b.HasIndex(x => new { x.ScheduleId, x.StartsAt }).IsUnique();
        b.HasOne<Group>().WithMany().HasForeignKey(x => x.GroupId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.GroupId, x.StartsAt });
    }
}

internal sealed class ServiceScheduleMapping : IEntityTypeConfiguration<ServiceSchedule>
{
    public void Configure(EntityTypeBuilder<ServiceSchedule> b)
    {
        b.ToTable("service_schedules");
        b.HasOne<Campus>().WithMany().HasForeignKey(x => x.CampusId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.OrganizationId, x.CampusId });
    }
}
