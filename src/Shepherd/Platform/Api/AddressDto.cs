using System.ComponentModel.DataAnnotations;
using Shepherd.Data.Tenancy;

namespace Shepherd.Platform.Api;

/// <summary>A postal address as the API reads and writes it.</summary>
public sealed record AddressDto
{
    [StringLength(200)] public string? Street1 { get; init; }
    [StringLength(200)] public string? Street2 { get; init; }
    [StringLength(100)] public string? City { get; init; }
    [StringLength(100)] public string? Region { get; init; }
    [StringLength(20)] public string? PostalCode { get; init; }
    [StringLength(100)] public string? Country { get; init; }

    public static AddressDto From(Address a) => new()
    {
        Street1 = a.Street1,
        Street2 = a.Street2,
        City = a.City,
        Region = a.Region,
        PostalCode = a.PostalCode,
        Country = a.Country,
    };

    public Address ToAddress() => new()
    {
        Street1 = Clean(Street1),
        Street2 = Clean(Street2),
        City = Clean(City),
        Region = Clean(Region),
        PostalCode = Clean(PostalCode),
        Country = Clean(Country),
    };

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
