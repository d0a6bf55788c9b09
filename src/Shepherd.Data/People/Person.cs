using Shepherd.Data.Attendance;
using Shepherd.Data.Badges;
using Shepherd.Data.CustomFields;
using Shepherd.Data.Families;
using Shepherd.Data.Groups;
using Shepherd.Data.Tenancy;

namespace Shepherd.Data.People;

public enum Gender { Unknown, Female, Male }

public enum MembershipStatus { Visitor, Attender, Member, Former }

/// <summary>A member or visitor. Archived people are kept (history, attendance) but left out of lists.</summary>
public sealed class Person : IArchivable, ITimestamped
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public required string FirstName { get; set; }
    public string? MiddleName { get; set; }
    public required string LastName { get; set; }
    public string? PreferredName { get; set; }
    public string? Suffix { get; set; }

    /// <summary>The primary e-mail, lower-cased (a copy of the primary entry of <see cref="Emails"/>), for look-ups by e-mail.</summary>
    public string? Email { get; set; }
    /// <summary>The primary phone's digits (a copy of the primary entry of <see cref="Phones"/>), for look-ups by phone.</summary>
    public string? Phone { get; set; }
    /// <summary>Lower-cased "first preferred last" used by name search on both providers.</summary>
    public string SearchName { get; set; } = "";

    public Address Address { get; set; } = new();
    public DateOnly? BirthDate { get; set; }
    public Gender Gender { get; set; }
    public MembershipStatus MembershipStatus { get; set; }
    public DateOnly? JoinDate { get; set; }
    public long? CampusId { get; set; }
    public bool Active { get; set; } = true;
    public DateTimeOffset? ArchivedAt { get; set; }
    public DateTimeOffset? PhotoUpdatedAt { get; set; }
    /// <summary>Allergies and medical needs, printed on a child's check-in label so the room's volunteers see them.</summary>
    public string? MedicalNote { get; set; }
    /// <summary>Set on a duplicate record merged into another: its history moved there and it is archived.</summary>
    public long? MergedIntoId { get; set; }
    /// <summary>What the person agreed to, each with the time they said so (GDPR consent records).</summary>
    public Consent Consent { get; set; } = new();
    /// <summary>Set when the person was erased on request: the row stays (attendance counts stay right), the identity is gone.</summary>
    public DateTimeOffset? ErasedAt { get; set; }
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<PersonEmail> Emails { get; set; } = [];
    public List<PersonPhone> Phones { get; set; } = [];
    public List<CustomFieldValue> CustomFieldValues { get; set; } = [];
    public List<FamilyMember> FamilyMemberships { get; set; } = [];
    public List<GroupMember> GroupMemberships { get; set; } = [];
    public List<Badge> Badges { get; set; } = [];
    public List<AttendanceRecord> Attendance { get; set; } = [];

    /// <summary>Keeps the denormalized look-up columns in step with the name and contact lists.</summary>
    public void RefreshSearchColumns()
    {
        var primaryEmail = Emails.FirstOrDefault(e => e.IsPrimary) ?? Emails.FirstOrDefault();
        Email = primaryEmail?.Address.ToLowerInvariant();
        var primaryPhone = Phones.FirstOrDefault(p => p.IsPrimary) ?? Phones.FirstOrDefault();
        Phone = primaryPhone?.Digits;
        SearchName = string.Join(' ', new[] { FirstName, PreferredName, LastName }
            .Where(s => !string.IsNullOrWhiteSpace(s))).ToLowerInvariant();
    }
}

/// <summary>
/// Consent a person gave or withdrew, each with when: photos may be taken and shown, contact by e-mail, contact by SMS.
/// Null means never asked.
/// </summary>
public sealed class Consent
{
    public bool? Photo { get; set; }
    public DateTimeOffset? PhotoAt { get; set; }
    public bool? Email { get; set; }
    public DateTimeOffset? EmailAt { get; set; }
    public bool? Sms { get; set; }
    public DateTimeOffset? SmsAt { get; set; }
}
