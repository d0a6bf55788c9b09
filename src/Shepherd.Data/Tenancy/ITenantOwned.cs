namespace Shepherd.Data.Tenancy;

/// <summary>A row that belongs to one organization. The DbContext filters every query by it and refuses writes across organizations.</summary>
public interface ITenantOwned
{
    long OrganizationId { get; set; }
}

/// <summary>A row updated with optimistic concurrency: <see cref="Version"/> is the concurrency token, raised on every update.</summary>
public interface IVersioned
{
    int Version { get; set; }
}

/// <summary>A row that records when it was created and last changed; the DbContext stamps both.</summary>
public interface ITimestamped
{
    DateTimeOffset CreatedAt { get; set; }
    DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Marks a property whose value must never be copied into the audit log (pastoral note text, token hashes, photos).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotAuditedAttribute : Attribute;

/// <summary>A row that is archived (soft-deleted) rather than deleted: kept for history, left out of lists.</summary>
public interface IArchivable : ITenantOwned, IVersioned
{
    long Id { get; }
    DateTimeOffset? ArchivedAt { get; set; }
}
