using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shepherd.Data.Badges;

internal sealed class BadgeTypeMapping : IEntityTypeConfiguration<BadgeType>
{
    public void Configure(EntityTypeBuilder<BadgeType> b)
    {
        b.Property(x => x.Description).HasMaxLength(1000);
        b.Property(x => x.Color).HasMaxLength(7);
        b.Property(x => x.Icon).HasMaxLength(50);
        b.HasIndex(x => new { x.OrganizationId, x.Name }).IsUnique();
    }
}

internal sealed class BadgeMapping : IEntityTypeConfiguration<Badge>
{
    public void Configure(EntityTypeBuilder<Badge> b)
    {
        b.Property(x => x.Note).HasMaxLength(500);
        b.HasOne(x => x.Person).WithMany(x => x.Badges).HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
        // An awarded badge type cannot vanish from under its awards: retire it (Active = false) instead.
        b.HasOne(x => x.BadgeType).WithMany().HasForeignKey(x => x.BadgeTypeId).OnDelete(DeleteBehavior.Restrict);
        // From the requirement documents: badges(member_id, badge_type_id).
        b.HasIndex(x => new { x.PersonId, x.BadgeTypeId });
        b.HasIndex(x => x.BadgeTypeId);
    }
}
