using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shepherd.Data.Notes;

internal sealed class NoteMapping : IEntityTypeConfiguration<Note>
{
    public const int MaxTextLength = 20_000;

    public void Configure(EntityTypeBuilder<Note> b)
    {
        b.Property(x => x.Text).HasMaxLength(MaxTextLength);
        b.HasOne(x => x.Person).WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
        // From the requirement documents: notes(member_id, date).
        b.HasIndex(x => new { x.PersonId, x.NoteDate });
    }
}
