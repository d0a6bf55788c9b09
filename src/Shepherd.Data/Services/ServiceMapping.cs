using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
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
    }
}
