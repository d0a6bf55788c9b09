using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shepherd.Data.Organizations;

namespace Shepherd.Data.People;

internal sealed class PersonMapping : IEntityTypeConfiguration<Person>
{
    public void Configure(EntityTypeBuilder<Person> b)
    {
        b.ToTable("people");
        b.ComplexProperty(x => x.Address);
        b.ComplexProperty(x => x.Consent);
        b.Property(x => x.FirstName).HasMaxLength(100);
        b.Property(x => x.MiddleName).HasMaxLength(100);
        b.Property(x => x.LastName).HasMaxLength(100);
        b.Property(x => x.PreferredName).HasMaxLength(100);
        b.Property(x => x.Suffix).HasMaxLength(20);
        b.Property(x => x.Email).HasMaxLength(254);
        b.Property(x => x.Phone).HasMaxLength(30);
        b.Property(x => x.SearchName).HasMaxLength(310);
        b.Property(x => x.MedicalNote).HasMaxLength(500);
        b.HasOne<Campus>().WithMany().HasForeignKey(x => x.CampusId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Emails).WithOne().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.Phones).WithOne().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.CustomFieldValues).WithOne().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
        // From the requirement documents: members(organization_id, email, active).
        b.HasIndex(x => new { x.OrganizationId, x.Email, x.Active });
        // The default list order, served straight from the index.
        b.HasIndex(x => new { x.OrganizationId, x.LastName, x.FirstName, x.Id });
        b.HasIndex(x => new { x.OrganizationId, x.Phone });
    }
}

internal sealed class PersonEmailMapping : IEntityTypeConfiguration<PersonEmail>
{
    public void Configure(EntityTypeBuilder<PersonEmail> b)
    {
        b.Property(x => x.Address).HasMaxLength(254);
        b.Property(x => x.NormalizedAddress).HasMaxLength(254);
        b.HasIndex(x => new { x.OrganizationId, x.NormalizedAddress });
    }
}

internal sealed class PersonPhoneMapping : IEntityTypeConfiguration<PersonPhone>
{
    public void Configure(EntityTypeBuilder<PersonPhone> b)
    {
        b.Property(x => x.Number).HasMaxLength(30);
        b.Property(x => x.Digits).HasMaxLength(30);
        b.HasIndex(x => new { x.OrganizationId, x.Digits });
    }
}

internal sealed class PersonPhotoMapping : IEntityTypeConfiguration<PersonPhoto>
{
    public void Configure(EntityTypeBuilder<PersonPhoto> b)
    {
        b.HasKey(x => x.PersonId);
        b.Property(x => x.ContentType).HasMaxLength(50);
        b.Property(x => x.Data).HasMaxLength(5 * 1024 * 1024);
        b.HasOne<Person>().WithOne().HasForeignKey<PersonPhoto>(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
    }
}
