using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shepherd.Data.Organizations;

namespace Shepherd.Data.Groups;

internal sealed class GroupMapping : IEntityTypeConfiguration<Group>
{
    public void Configure(EntityTypeBuilder<Group> b)
    {
        b.ToTable("groups");
        b.Property(x => x.Description).HasMaxLength(2000);
        b.Property(x => x.MeetingDay).HasConversion<string>().HasMaxLength(12);
        b.HasOne<Campus>().WithMany().HasForeignKey(x => x.CampusId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Members).WithOne(x => x.Group).HasForeignKey(x => x.GroupId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.OrganizationId, x.Name });
    }
}

internal sealed class GroupMemberMapping : IEntityTypeConfiguration<GroupMember>
{
    public void Configure(EntityTypeBuilder<GroupMember> b)
    {
        b.HasOne(x => x.Person).WithMany(x => x.GroupMemberships).HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.GroupId, x.PersonId }).IsUnique();
    }
}
