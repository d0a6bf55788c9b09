using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shepherd.Data.CustomFields;

internal sealed class CustomFieldDefinitionMapping : IEntityTypeConfiguration<CustomFieldDefinition>
{
    public void Configure(EntityTypeBuilder<CustomFieldDefinition> b)
    {
        b.Property(x => x.Key).HasMaxLength(50);
        b.Property(x => x.Label).HasMaxLength(100);
        b.Property(x => x.Choices).HasMaxLength(4000);
        b.HasIndex(x => new { x.OrganizationId, x.Key }).IsUnique();
    }
}

internal sealed class CustomFieldValueMapping : IEntityTypeConfiguration<CustomFieldValue>
{
    public void Configure(EntityTypeBuilder<CustomFieldValue> b)
    {
        b.Property(x => x.Value).HasMaxLength(1000);
        b.HasOne(x => x.Definition).WithMany().HasForeignKey(x => x.DefinitionId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.PersonId, x.DefinitionId }).IsUnique();
        // Filtering people by a custom field's value.
        b.HasIndex(x => new { x.DefinitionId, x.Value });
    }
}
