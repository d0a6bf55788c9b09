using Shepherd.Data.Tenancy;

namespace Shepherd.Data.People;

public enum ContactLabel { Home, Work, Mobile, Other }

/// <summary>One of a person's e-mail addresses.</summary>
public sealed class PersonEmail : ITenantOwned
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public long PersonId { get; set; }
    public required string Address { get; set; }
    /// <summary>Lower-cased address for case-insensitive search on both providers.</summary>
    public required string NormalizedAddress { get; set; }
    public ContactLabel Label { get; set; } = ContactLabel.Home;
    public bool IsPrimary { get; set; }
}

/// <summary>One of a person's phone numbers, kept as written and as digits for search.</summary>
public sealed class PersonPhone : ITenantOwned
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public long PersonId { get; set; }
    public required string Number { get; set; }
    public required string Digits { get; set; }
    public ContactLabel Label { get; set; } = ContactLabel.Mobile;
    public bool IsPrimary { get; set; }
    public bool CanText { get; set; }

    public static string DigitsOf(string number) => new([.. number.Where(char.IsAsciiDigit)]);
}
