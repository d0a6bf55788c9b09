using Shepherd.Data.Tenancy;

namespace Shepherd.Data.CustomFields;

public enum CustomFieldType { Text, Number, Date, Boolean, Choice }

/// <summary>A field a church adds to people ("T-shirt size", "Allergies"), with its type and allowed values.</summary>
public sealed class CustomFieldDefinition : ITenantOwned, IVersioned, ITimestamped
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    /// <summary>Stable identifier used in the API (lower-case letters, digits, dashes).</summary>
    public required string Key { get; set; }
    public required string Label { get; set; }
    public CustomFieldType Type { get; set; }
    public List<string> Choices { get; set; } = [];
    public bool Required { get; set; }
    public int SortOrder { get; set; }
    public bool Active { get; set; } = true;
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A person's value for one custom field, stored as invariant text and validated by the field's type.</summary>
public sealed class CustomFieldValue : ITenantOwned
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public long PersonId { get; set; }
    public long DefinitionId { get; set; }
    public required string Value { get; set; }
    public CustomFieldDefinition? Definition { get; set; }
}
