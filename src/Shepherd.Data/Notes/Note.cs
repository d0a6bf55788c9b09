using Shepherd.Data.People;
using Shepherd.Data.Tenancy;

namespace Shepherd.Data.Notes;

/// <summary>Who may read a note: its author only, the pastoral team, or all staff.</summary>
public enum NoteVisibility { AuthorOnly, Pastors, Staff }

/// <summary>A pastoral note about a person.</summary>
public sealed class Note : ITenantOwned, IVersioned, ITimestamped
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public long PersonId { get; set; }
    public long? AuthorUserId { get; set; }
    public required string AuthorName { get; set; }
    public NoteVisibility Visibility { get; set; }
    [NotAudited]
    public required string Text { get; set; }
    /// <summary>The day the conversation or event happened (may differ from when it was written down).</summary>
    public DateOnly NoteDate { get; set; }
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Person? Person { get; set; }
}
