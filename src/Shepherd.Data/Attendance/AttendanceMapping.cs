using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shepherd.Data.Attendance;

internal sealed class AttendanceMapping : IEntityTypeConfiguration<AttendanceRecord>
{
    public void Configure(EntityTypeBuilder<AttendanceRecord> b)
    {
        b.ToTable("attendance");
        b.Property(x => x.PickedUpBy).HasMaxLength(200);
        b.Property(x => x.SecurityCode).HasMaxLength(8);
        b.HasOne(x => x.Person).WithMany(x => x.Attendance).HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
        // A service with attendance is history: it cannot be deleted out from under its records.
        b.HasOne(x => x.Service).WithMany().HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Restrict);
        // One record per person per service (a service belongs to one organization, so adding organization_id
        // leaves the uniqueness unchanged). It also serves "who was at this service", and with organization_id in
        // the key, tenant-filtered per-service counts read only this index on both providers.
        b.HasIndex(x => new { x.ServiceId, x.PersonId, x.OrganizationId }).IsUnique();
        // From the requirement documents: attendance(member_id, service_id, date), ordered so that a person's
        // history by date is read from the index.
        b.HasIndex(x => new { x.PersonId, x.ServiceDate, x.ServiceId });
        // A retried kiosk check-in finds the record its first attempt made (NULLs are distinct on both providers). The client
        // id comes first: an index led by organization_id alone would tempt SQLite's planner (see ShepherdDbContext).
        b.HasIndex(x => new { x.ClientId, x.OrganizationId }).IsUnique();
        // No (organization_id, service_date) index: SQLite's planner preferred it for a person's history (it
        // satisfies the ORDER BY) and scanned the whole organization. Reports reach attendance through services.
    }
}
