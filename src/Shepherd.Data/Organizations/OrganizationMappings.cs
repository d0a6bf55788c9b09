using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shepherd.Data.Organizations;

internal sealed class OrganizationMapping : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> b)
    {
        b.Property(x => x.TimeZone).HasMaxLength(64);
        // Organizations that existed before two-factor could be required get the default too.
        b.Property(x => x.TwoFactorRequiredRoles).HasMaxLength(100).HasDefaultValue("Administrator");
        b.HasIndex(x => x.Name).IsUnique();
    }
}

internal sealed class CampusMapping : IEntityTypeConfiguration<Campus>
{
    public void Configure(EntityTypeBuilder<Campus> b)
    {
        b.ComplexProperty(x => x.Address);
        b.HasIndex(x => new { x.OrganizationId, x.Name }).IsUnique();
    }
}
