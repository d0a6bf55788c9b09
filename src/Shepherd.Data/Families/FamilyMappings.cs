using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shepherd.Data.Organizations;

namespace Shepherd.Data.Families;

internal sealed class FamilyMapping : IEntityTypeConfiguration<Family>
{
    public void Configure(EntityTypeBuilder<Family> b)
    {
        b.ComplexProperty(x => x.Address);
        b.Property(x => x.HomePhone).HasMaxLength(30);
        b.HasOne<Campus>().WithMany().HasForeignKey(x => x.CampusId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Members).WithOne(x => x.Family).HasForeignKey(x => x.FamilyId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.AuthorizedPickups).WithOne().HasForeignKey(x => x.FamilyId).OnDelete(DeleteBehavior.Cascade);
        // From the requirement documents: families(organization_id, name, active).
        b.HasIndex(x => new { x.OrganizationId, x.Name, x.Active });
    }
}

internal sealed class FamilyMemberMapping : IEntityTypeConfiguration<FamilyMember>
{
    public void Configure(EntityTypeBuilder<FamilyMember> b)
    {
        b.HasOne(x => x.Person).WithMany(x => x.FamilyMemberships).HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.FamilyId, x.PersonId }).IsUnique();
    }
}

internal sealed class AuthorizedPickupMapping : IEntityTypeConfiguration<AuthorizedPickup>
{
    public void Configure(EntityTypeBuilder<AuthorizedPickup> b)
    {
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Relationship).HasMaxLength(50);
        b.Property(x => x.Phone).HasMaxLength(30);
        b.HasOne(x => x.Person).WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
    }
}
