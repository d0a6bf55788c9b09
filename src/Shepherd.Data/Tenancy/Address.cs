namespace Shepherd.Data.Tenancy;

/// <summary>A postal address, stored as columns of its owner (people, families, campuses).</summary>
public sealed record Address
{
    public string? Street1 { get; set; }
    public string? Street2 { get; set; }
    public string? City { get; set; }
    public string? Region { get; set; }
    public string? PostalCode { get; set; }
    public string? Country { get; set; }
}
