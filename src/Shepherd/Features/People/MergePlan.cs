using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Attendance;
using Shepherd.Data.Badges;
using Shepherd.Data.CustomFields;
using Shepherd.Data.Families;
using Shepherd.Data.Groups;
using Shepherd.Data.Notes;
using Shepherd.Data.People;
using Shepherd.Data.Tenancy;

namespace Shepherd.Features.People;

/// <summary>
/// The rows a merge touches, read once and sorted into "moves" and "kept once" (where both records hold the same thing),
/// plus the survivor's fields to fill. <see cref="Preview"/> describes the plan and <see cref="Apply"/> carries it out on
/// the tracked rows, so the two can never disagree.
/// </summary>
internal sealed class MergePlan
{
    /// <summary>Services named one by one in the conflicts before the rest are counted.</summary>
    private const int NamedServiceConflicts = 10;

    private readonly ShepherdDbContext _db;
    private readonly Person _survivor;
    private readonly Person _duplicate;
    private readonly List<AttendanceRecord> _attendanceMoved = [];
    private readonly List<AttendanceRecord> _attendanceDropped = [];
    private readonly List<FamilyMember> _familiesMoved = [];
    private readonly List<FamilyMember> _familiesDropped = [];
    private readonly List<GroupMember> _groupsMoved = [];
    private readonly List<(GroupMember Dropped, GroupMember Kept)> _groupsDropped = [];
    private readonly List<Badge> _badgesMoved = [];
    private readonly List<Badge> _badgesDropped = [];
    private readonly List<Note> _notes = [];
    private readonly List<(CustomFieldValue Value, string Label)> _customMoved = [];
    private readonly List<PersonEmail> _emailsMoved = [];
    private readonly List<PersonPhone> _phonesMoved = [];
    private readonly List<AuthorizedPickup> _pickupsMoved = [];
    private readonly List<AuthorizedPickup> _pickupsDropped = [];
    private readonly List<OrganizationMembership> _accounts = [];
    private readonly List<Person> _mergedEarlier = [];
    private readonly List<(MergeFill Fill, Action Apply)> _fills = [];
    private readonly List<string> _conflicts = [];
    private PersonPhoto? _photo;

    private MergePlan(ShepherdDbContext db, Person survivor, Person duplicate)
    {
        _db = db;
        _survivor = survivor;
        _duplicate = duplicate;
    }

    private string SurvivorName => NameOf(_survivor);

    public static async Task<MergePlan> BuildAsync(ShepherdDbContext db, Person survivor, Person duplicate, CancellationToken ct)
    {
        var plan = new MergePlan(db, survivor, duplicate);
        await plan.ReadAttendanceAsync(ct);
        await plan.ReadMembershipsAsync(ct);
        await plan.ReadBadgesNotesAndPickupsAsync(ct);
        await plan.ReadCustomFieldsAsync(ct);
        plan.ReadContacts();
        await PersonMergeFields.AddAsync(plan, db, survivor, duplicate, ct);
        return plan;
    }

    internal void Fill(string field, string label, string value, Action apply) => _fills.Add((new MergeFill(field, label, value), apply));

    internal void Conflict(string sentence) => _conflicts.Add(sentence);

    private async Task ReadAttendanceAsync(CancellationToken ct)
    {
        var (s, d) = (_survivor.Id, _duplicate.Id);
        var records = await _db.Attendance.Where(a => a.PersonId == d).OrderBy(a => a.ServiceDate).ThenBy(a => a.Id).ToListAsync(ct);
        var both = await _db.Attendance.AsNoTracking()
            .Where(a => a.PersonId == s && _db.Attendance.Any(x => x.PersonId == d && x.ServiceId == a.ServiceId))
            .OrderBy(a => a.ServiceDate).ThenBy(a => a.ServiceId)
            .Select(a => new { a.ServiceId, a.Service!.Name, a.ServiceDate })
            .ToListAsync(ct);
        var shared = both.Select(b => b.ServiceId).ToHashSet();
        foreach (var record in records)
        {
            (shared.Contains(record.ServiceId) ? _attendanceDropped : _attendanceMoved).Add(record);
        }
        foreach (var service in both.Take(NamedServiceConflicts))
        {
            Conflict($"Both were at {service.Name} on {Day(service.ServiceDate)}: one attendance record is kept.");
        }
        if (both.Count > NamedServiceConflicts)
        {
            Conflict($"Both were at {both.Count - NamedServiceConflicts} more services: one attendance record is kept for each.");
        }
    }

    private async Task ReadMembershipsAsync(CancellationToken ct)
    {
        var (s, d) = (_survivor.Id, _duplicate.Id);
        var survivorFamilies = await _db.FamilyMembers.AsNoTracking().Where(m => m.PersonId == s).ToDictionaryAsync(m => m.FamilyId, ct);
        foreach (var member in await _db.FamilyMembers.Include(m => m.Family).Where(m => m.PersonId == d).OrderBy(m => m.FamilyId).ToListAsync(ct))
        {
            if (survivorFamilies.TryGetValue(member.FamilyId, out var kept))
            {
                _familiesDropped.Add(member);
                Conflict($"Both are in {member.Family!.Name}: {SurvivorName} stays in it as {Role(kept.Role)}.");
            }
            else
            {
                _familiesMoved.Add(member);
            }
        }
        var survivorGroups = await _db.GroupMembers.Where(m => m.PersonId == s).ToDictionaryAsync(m => m.GroupId, ct);
        foreach (var member in await _db.GroupMembers.Include(m => m.Group).Where(m => m.PersonId == d).OrderBy(m => m.GroupId).ToListAsync(ct))
        {
            if (survivorGroups.TryGetValue(member.GroupId, out var kept))
            {
                _groupsDropped.Add((member, kept));
                // A leader stays a leader, and the earlier joining date is the true one.
                var role = member.Role == GroupRole.Leader ? GroupRole.Leader : kept.Role;
                var joined = member.JoinedOn < kept.JoinedOn ? member.JoinedOn : kept.JoinedOn;
                Conflict($"Both are in {member.Group!.Name}: one membership is kept ({Role(role)}, joined {Day(joined)}).");
            }
            else
            {
                _groupsMoved.Add(member);
            }
        }
        _accounts.AddRange(await _db.Memberships.Where(m => m.PersonId == d).ToListAsync(ct));
        _mergedEarlier.AddRange(await _db.People.Where(p => p.MergedIntoId == d).ToListAsync(ct));
    }

    private async Task ReadBadgesNotesAndPickupsAsync(CancellationToken ct)
    {
        var (s, d) = (_survivor.Id, _duplicate.Id);
        var held = (await _db.Badges.AsNoTracking().Where(b => b.PersonId == s).Select(b => new { b.BadgeTypeId, b.AwardedOn }).ToListAsync(ct))
            .Select(b => (b.BadgeTypeId, b.AwardedOn)).ToHashSet();
        foreach (var badge in await _db.Badges.Include(b => b.BadgeType).Where(b => b.PersonId == d).OrderBy(b => b.AwardedOn).ThenBy(b => b.Id).ToListAsync(ct))
        {
            if (held.Contains((badge.BadgeTypeId, badge.AwardedOn)))
            {
                _badgesDropped.Add(badge);
                Conflict($"Both hold {badge.BadgeType!.Name} awarded on {Day(badge.AwardedOn)}: one is kept.");
            }
            else
            {
                _badgesMoved.Add(badge);
            }
        }
        _notes.AddRange(await _db.Notes.Where(n => n.PersonId == d).ToListAsync(ct));

        var pickupFamilies = await _db.AuthorizedPickups.AsNoTracking().Where(a => a.PersonId == s).Select(a => a.FamilyId).ToListAsync(ct);
        foreach (var pickup in await _db.AuthorizedPickups.Where(a => a.PersonId == d).ToListAsync(ct))
        {
            (pickupFamilies.Contains(pickup.FamilyId) ? _pickupsDropped : _pickupsMoved).Add(pickup);
        }

        _photo = await _db.PersonPhotos.FirstOrDefaultAsync(p => p.PersonId == d, ct);
        if (_photo is not null && await _db.PersonPhotos.AnyAsync(p => p.PersonId == s, ct))
        {
            Conflict($"Both have a photo: {SurvivorName}'s is kept.");
            _photo = null;
        }
    }

    private async Task ReadCustomFieldsAsync(CancellationToken ct)
    {
        var definitions = await _db.CustomFields.AsNoTracking().ToDictionaryAsync(f => f.Id, ct);
        var kept = _survivor.CustomFieldValues.ToDictionary(v => v.DefinitionId);
        foreach (var value in _duplicate.CustomFieldValues.OrderBy(v => definitions.GetValueOrDefault(v.DefinitionId)?.SortOrder).ThenBy(v => v.DefinitionId))
        {
            var label = definitions.GetValueOrDefault(value.DefinitionId)?.Label ?? "A custom field";
            if (!kept.TryGetValue(value.DefinitionId, out var survivorValue))
            {
                _customMoved.Add((value, label));
            }
            else if (survivorValue.Value != value.Value)
            {
                Conflict($"{label}: keeps “{survivorValue.Value}” (the duplicate has “{value.Value}”).");
            }
        }
    }

    private void ReadContacts()
    {
        var addresses = _survivor.Emails.Select(e => e.NormalizedAddress).ToHashSet(StringComparer.Ordinal);
        _emailsMoved.AddRange(_duplicate.Emails.Where(e => !addresses.Contains(e.NormalizedAddress)).OrderByDescending(e => e.IsPrimary).ThenBy(e => e.Id));
        var numbers = _survivor.Phones.Select(p => p.Digits).ToHashSet(StringComparer.Ordinal);
        _phonesMoved.AddRange(_duplicate.Phones.Where(p => !numbers.Contains(p.Digits)).OrderByDescending(p => p.IsPrimary).ThenBy(p => p.Id));
    }

    public MergePreview Preview(bool merged) => new(
        new MergeParty(_survivor.Id, SurvivorName, _survivor.Version), new MergeParty(_duplicate.Id, NameOf(_duplicate), _duplicate.Version),
        _attendanceMoved.Count, _attendanceDropped.Count,
        [.. _familiesMoved.Select(m => m.Family!.Name)], [.. _groupsMoved.Select(m => m.Group!.Name)],
        _badgesMoved.Count, _notes.Count, [.. _customMoved.Select(c => c.Label)],
        [.. _emailsMoved.Select(e => e.Address)], [.. _phonesMoved.Select(p => p.Number)],
        _pickupsMoved.Count, _photo is not null, _accounts.Count,
        [.. _fills.Select(f => f.Fill)], [.. _conflicts], merged);

    /// <summary>Changes the tracked rows; the caller saves them (with the audit entries) in its transaction.</summary>
    public void Apply(DateTimeOffset now)
    {
        var (s, d) = (_survivor, _duplicate);
        _db.Attendance.RemoveRange(_attendanceDropped);
        _attendanceMoved.ForEach(a => a.PersonId = s.Id);
        _db.FamilyMembers.RemoveRange(_familiesDropped);
        _familiesMoved.ForEach(m => m.PersonId = s.Id);
        foreach (var (dropped, kept) in _groupsDropped)
        {
            kept.Role = dropped.Role == GroupRole.Leader ? GroupRole.Leader : kept.Role;
            kept.JoinedOn = dropped.JoinedOn < kept.JoinedOn ? dropped.JoinedOn : kept.JoinedOn;
            _db.GroupMembers.Remove(dropped);
        }
        _groupsMoved.ForEach(m => m.PersonId = s.Id);
        _db.Badges.RemoveRange(_badgesDropped);
        _badgesMoved.ForEach(b => b.PersonId = s.Id);
        _notes.ForEach(n => n.PersonId = s.Id);
        _db.AuthorizedPickups.RemoveRange(_pickupsDropped);
        var duplicateName = NameOf(d);
        foreach (var pickup in _pickupsMoved)
        {
            pickup.PersonId = s.Id;
            pickup.Name = pickup.Name == duplicateName ? SurvivorName : pickup.Name;
        }
        _accounts.ForEach(m => m.PersonId = s.Id);
        _mergedEarlier.ForEach(p => p.MergedIntoId = s.Id);

        foreach (var (value, _) in _customMoved)
        {
            s.CustomFieldValues.Add(new CustomFieldValue { DefinitionId = value.DefinitionId, Value = value.Value });
        }
        var hadEmail = s.Emails.Count > 0;
        s.Emails.AddRange(_emailsMoved.Select(e => new PersonEmail
        {
            Address = e.Address,
            NormalizedAddress = e.NormalizedAddress,
            Label = e.Label,
            IsPrimary = e.IsPrimary && !hadEmail,
        }));
        var hadPhone = s.Phones.Count > 0;
        s.Phones.AddRange(_phonesMoved.Select(p => new PersonPhone
        {
            Number = p.Number,
            Digits = p.Digits,
            Label = p.Label,
            IsPrimary = p.IsPrimary && !hadPhone,
            CanText = p.CanText,
        }));
        if (_photo is not null)
        {
            _db.PersonPhotos.Remove(_photo);
            _db.PersonPhotos.Add(new PersonPhoto { PersonId = s.Id, ContentType = _photo.ContentType, Data = _photo.Data, UpdatedAt = _photo.UpdatedAt });
            s.PhotoUpdatedAt = _photo.UpdatedAt;
            d.PhotoUpdatedAt = null;
        }
        _fills.ForEach(f => f.Apply());

        // The duplicate is left an empty, archived shell that points at the survivor.
        d.CustomFieldValues.Clear();
        d.Emails.Clear();
        d.Phones.Clear();
        d.MergedIntoId = s.Id;
        d.ArchivedAt = now;
        s.RefreshSearchColumns();
        d.RefreshSearchColumns();
    }

    internal static string NameOf(Person p) => PersonDetail.DisplayNameOf(p.FirstName, p.PreferredName, p.LastName);

    internal static string Day(DateOnly day) => day.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    private static string Role(FamilyRole role) => role == FamilyRole.Adult ? "an adult" : "a child";

    private static string Role(GroupRole role) => role == GroupRole.Leader ? "leader" : "member";

    internal static bool IsEmpty(Address a) =>
        a.Street1 is null && a.Street2 is null && a.City is null && a.Region is null && a.PostalCode is null && a.Country is null;
}
