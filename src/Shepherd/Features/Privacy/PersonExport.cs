using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Attendance;
using Shepherd.Data.Audit;
using Shepherd.Data.Families;
using Shepherd.Data.Groups;
using Shepherd.Data.Notes;
using Shepherd.Data.People;
using Shepherd.Features.People;
using Shepherd.Platform.Api;

namespace Shepherd.Features.Privacy;

/// <summary>Everything Shepherd holds about one person (GDPR art. 15 / CCPA right to know), as GET /api/v1/people/{id}/export returns it.</summary>
public sealed record PersonExport(
    DateTimeOffset ExportedAt,
    string OrganizationName,
    PersonExport.PersonRecord Person,
    IReadOnlyList<PersonExport.EmailRecord> Emails,
    IReadOnlyList<PersonExport.PhoneRecord> Phones,
    IReadOnlyList<PersonExport.CustomFieldRecord> CustomFields,
    IReadOnlyList<PersonExport.FamilyRecord> Families,
    IReadOnlyList<PersonExport.PickupRecord> AuthorizedPickups,
    IReadOnlyList<PersonExport.GroupRecord> Groups,
    IReadOnlyList<PersonExport.BadgeRecord> Badges,
    IReadOnlyList<PersonExport.AttendanceRow> Attendance,
    IReadOnlyList<PersonExport.NoteRecord> Notes,
    PersonExport.PhotoRecord? Photo,
    IReadOnlyList<PersonExport.AuditRecord> AuditLog)
{
    public sealed record PersonRecord(
        long Id, string FirstName, string? MiddleName, string LastName, string? PreferredName, string? Suffix, AddressDto Address,
        DateOnly? BirthDate, Gender Gender, MembershipStatus MembershipStatus, DateOnly? JoinDate, long? CampusId, string? CampusName,
        string? MedicalNote, bool Active, DateTimeOffset? ArchivedAt, DateTimeOffset? ErasedAt, ConsentResponse Consent, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record EmailRecord(string Address, ContactLabel Label, bool IsPrimary);

    public sealed record PhoneRecord(string Number, ContactLabel Label, bool IsPrimary, bool CanText);

    public sealed record CustomFieldRecord(string Key, string Label, string Value);

    public sealed record FamilyRecord(long FamilyId, string FamilyName, FamilyRole Role);

    public sealed record PickupRecord(long FamilyId, string FamilyName, string Name, string? Relationship, string? Phone);

    public sealed record GroupRecord(long GroupId, string GroupName, GroupRole Role, DateOnly JoinedOn);

    public sealed record BadgeRecord(string BadgeType, DateOnly AwardedOn, string? Note);

    public sealed record AttendanceRow(
        long ServiceId, string ServiceName, DateOnly ServiceDate, DateTimeOffset CheckedInAt, DateTimeOffset? CheckedOutAt,
        CheckInMethod Method, string? PickedUpBy);

    public sealed record NoteRecord(long Id, DateOnly NoteDate, string AuthorName, NoteVisibility Visibility, string Text, DateTimeOffset CreatedAt);

    /// <summary>The photo's description only; the image itself is GET /api/v1/people/{id}/photo.</summary>
    public sealed record PhotoRecord(string ContentType, int SizeBytes, DateTimeOffset UpdatedAt, string Url);

    public sealed record AuditRecord(DateTimeOffset At, string Actor, AuditAction Action, string EntityType, string EntityId, JsonElement? Changes, string? IpAddress);

    /// <summary>Reads it all; null when the person is not in the caller's organization.</summary>
    public static async Task<PersonExport?> LoadAsync(ShepherdDbContext db, long id, CancellationToken ct)
    {
        var p = await db.People.AsNoTracking()
            .Include(x => x.Emails).Include(x => x.Phones).Include(x => x.CustomFieldValues).ThenInclude(v => v.Definition)
            .AsSplitQuery()
            .FirstOrDefaultAsync(x => x.Id == id, ct);
        if (p is null)
        {
            return null;
        }
        var organization = await db.Organizations.AsNoTracking().Where(o => o.Id == p.OrganizationId).Select(o => o.Name).SingleAsync(ct);
        var campus = p.CampusId is { } campusId ? await db.Campuses.AsNoTracking().Where(c => c.Id == campusId).Select(c => c.Name).FirstOrDefaultAsync(ct) : null;
        var families = await db.FamilyMembers.AsNoTracking().Where(m => m.PersonId == id)
            .OrderBy(m => m.FamilyId).Select(m => new FamilyRecord(m.FamilyId, m.Family!.Name, m.Role)).ToListAsync(ct);
        var pickups = await db.AuthorizedPickups.AsNoTracking().Where(a => a.PersonId == id)
            .Join(db.Families, a => a.FamilyId, f => f.Id, (a, f) => new PickupRecord(a.FamilyId, f.Name, a.Name, a.Relationship, a.Phone))
            .ToListAsync(ct);
        var groups = await db.GroupMembers.AsNoTracking().Where(m => m.PersonId == id)
            .OrderBy(m => m.GroupId).Select(m => new GroupRecord(m.GroupId, m.Group!.Name, m.Role, m.JoinedOn)).ToListAsync(ct);
        var badges = await db.Badges.AsNoTracking().Where(b => b.PersonId == id)
            .OrderBy(b => b.AwardedOn).ThenBy(b => b.Id).Select(b => new BadgeRecord(b.BadgeType!.Name, b.AwardedOn, b.Note)).ToListAsync(ct);
        var attendance = await db.Attendance.AsNoTracking().Where(a => a.PersonId == id)
            .OrderBy(a => a.ServiceDate).ThenBy(a => a.Id)
            .Select(a => new AttendanceRow(a.ServiceId, a.Service!.Name, a.ServiceDate, a.CheckedInAt, a.CheckedOutAt, a.Method, a.PickedUpBy))
            .ToListAsync(ct);
        // Every note about the person whatever its visibility: the organization must disclose all it holds.
        var notes = await db.Notes.AsNoTracking().Where(n => n.PersonId == id)
            .OrderBy(n => n.NoteDate).ThenBy(n => n.Id)
            .Select(n => new NoteRecord(n.Id, n.NoteDate, n.AuthorName, n.Visibility, n.Text, n.CreatedAt)).ToListAsync(ct);
        var photo = await db.PersonPhotos.AsNoTracking().Where(x => x.PersonId == id)
            .Select(x => new { x.ContentType, Size = x.Data.Length, x.UpdatedAt }).FirstOrDefaultAsync(ct);
        var audit = await PersonAuditTrail.About(db, id).AsNoTracking()
            .OrderBy(e => e.At).ThenBy(e => e.Id).Take(10_000).ToListAsync(ct);

        return new PersonExport(
            db.Clock.GetUtcNow(), organization,
            new PersonRecord(p.Id, p.FirstName, p.MiddleName, p.LastName, p.PreferredName, p.Suffix, AddressDto.From(p.Address), p.BirthDate,
                p.Gender, p.MembershipStatus, p.JoinDate, p.CampusId, campus, p.MedicalNote, p.Active, p.ArchivedAt, p.ErasedAt, ConsentResponse.From(p.Consent),
                p.CreatedAt, p.UpdatedAt),
            [.. p.Emails.OrderByDescending(e => e.IsPrimary).ThenBy(e => e.Id).Select(e => new EmailRecord(e.Address, e.Label, e.IsPrimary))],
            [.. p.Phones.OrderByDescending(x => x.IsPrimary).ThenBy(x => x.Id).Select(x => new PhoneRecord(x.Number, x.Label, x.IsPrimary, x.CanText))],
            [.. p.CustomFieldValues.Where(v => v.Definition is not null).OrderBy(v => v.Definition!.SortOrder).ThenBy(v => v.Definition!.Key)
                .Select(v => new CustomFieldRecord(v.Definition!.Key, v.Definition.Label, v.Value))],
            families, pickups, groups, badges, attendance, notes,
            photo is null ? null : new PhotoRecord(photo.ContentType, photo.Size, photo.UpdatedAt, $"/api/v1/people/{id}/photo"),
            [.. audit.Select(e => new AuditRecord(e.At, e.Actor, e.Action, e.EntityType, e.EntityId, Json(e.Changes), e.IpAddress))]);
    }

    private static JsonElement? Json(string? changes)
    {
        if (changes is null)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(changes);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(changes);
        }
    }
}
