using Shepherd.Data.Tenancy;

namespace Shepherd.Data.People;

/// <summary>A person's photo, kept apart from the person row so lists never load image bytes.
/// Stored in the database so every replica serves it without a shared file system.</summary>
public sealed class PersonPhoto : ITenantOwned
{
    public long PersonId { get; set; }
    public long OrganizationId { get; set; }
    public required string ContentType { get; set; }
    [NotAudited]
    public required byte[] Data { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
