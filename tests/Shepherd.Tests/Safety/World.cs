using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Accounts;
using Shepherd.Data.Attendance;
using Shepherd.Data.Badges;
using Shepherd.Data.CustomFields;
using Shepherd.Data.Families;
using Shepherd.Data.Groups;
using Shepherd.Data.Notes;
using Shepherd.Data.Organizations;
using Shepherd.Data.People;
using Shepherd.Data.Services;
using Shepherd.Tests.Infrastructure;

namespace Shepherd.Tests.Safety;

/// <summary>
/// One of every kind of record in one organization, written straight to the database, so probes across
/// every route have real ids to use — their own, and another organization's.
/// </summary>
public sealed record World(
    ApiClient Api, long CampusId, long AdultId, long ChildId, long FamilyId, long PickupId, long GroupId,
    long BadgeTypeId, long BadgeId, long ServiceId, long NoteId, long CustomFieldId, string Marker, long UserId, long InvitationId, long TokenId)
{
    public static async Task<World> CreateAsync(ShepherdApp app)
    {
        var api = await app.NewOrganizationAsync();
        var marker = $"zq{Guid.NewGuid():N}"[..12];
        await using var db = app.Database(api.OrganizationId);

        var campus = new Campus { Name = $"Campus {marker}" };
        db.Campuses.Add(campus);
        await db.SaveChangesAsync();

        var adult = NewPerson("Adult", marker, campus.Id);
        adult.Emails.Add(new PersonEmail { Address = $"{marker}@example.org", NormalizedAddress = $"{marker}@example.org", IsPrimary = true });
        var child = NewPerson("Child", marker, campus.Id);
        child.BirthDate = new DateOnly(2019, 5, 1);
        db.People.AddRange(adult, child);
        var field = new CustomFieldDefinition { Key = "shirt", Label = "Shirt size", Type = CustomFieldType.Choice, Choices = ["S", "M", "L"] };
        db.CustomFields.Add(field);
        var badgeType = new BadgeType { Name = $"Badge {marker}" };
        db.BadgeTypes.Add(badgeType);
        await db.SaveChangesAsync();

        db.CustomFieldValues.Add(new CustomFieldValue { PersonId = adult.Id, DefinitionId = field.Id, Value = "M" });
        var family = new Family { Name = $"Family {marker}", CampusId = campus.Id };
        family.Members.Add(new FamilyMember { PersonId = adult.Id, Role = FamilyRole.Adult });
        family.Members.Add(new FamilyMember { PersonId = child.Id, Role = FamilyRole.Child });
        var pickup = new AuthorizedPickup { Name = $"Grandma {marker}", Relationship = "grandmother" };
        family.AuthorizedPickups.Add(pickup);
        db.Families.Add(family);
        var group = new Group { Name = $"Group {marker}", CampusId = campus.Id };
        group.Members.Add(new GroupMember { PersonId = adult.Id, Role = GroupRole.Leader, JoinedOn = new DateOnly(2025, 1, 5) });
        db.Groups.Add(group);
        var badge = new Badge { PersonId = adult.Id, BadgeTypeId = badgeType.Id, AwardedOn = new DateOnly(2025, 3, 1) };
        db.Badges.Add(badge);
        var service = new Service
        {
            CampusId = campus.Id,
            Name = $"Service {marker}",
            Kind = ServiceKind.Kids,
            StartsAt = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero),
            Date = new DateOnly(2026, 11, 22),
        };
        db.Services.Add(service);
        var note = new Note { PersonId = adult.Id, AuthorName = "Pastor", Text = $"Note {marker}", Visibility = NoteVisibility.Staff, NoteDate = new DateOnly(2026, 11, 1) };
        db.Notes.Add(note);
        await db.SaveChangesAsync();

        db.Attendance.Add(new AttendanceRecord
        {
            PersonId = child.Id,
            ServiceId = service.Id,
            ServiceDate = service.Date,
            SecurityCode = "K7Q4",
            CheckedInAt = service.StartsAt,
            Method = CheckInMethod.Kiosk,
        });
        var invitation = new Invitation
        {
            Email = $"invited-{marker}@example.org",
            Role = Data.Accounts.OrganizationRole.Staff,
            TokenHash = $"hash-{marker}",
            CreatedAt = service.StartsAt,
            ExpiresAt = DateTimeOffset.MaxValue.AddDays(-1),
        };
        db.Invitations.Add(invitation);
        await db.SaveChangesAsync();
        var userId = await db.Users.Where(u => u.Email == api.AdminEmail).Select(u => u.Id).SingleAsync();
        // A spare token of the administrator's, for the token routes to revoke (not the one the world's client uses).
        var (_, token) = Shepherd.Platform.Accounts.ApiTokenIssuer.Add(db, userId, $"Spare {marker}", ["read"], null, service.StartsAt);
        await db.SaveChangesAsync();

        return new World(api, campus.Id, adult.Id, child.Id, family.Id, pickup.Id, group.Id,
            badgeType.Id, badge.Id, service.Id, note.Id, field.Id, marker, userId, invitation.Id, token.Id);
    }

    private static Person NewPerson(string first, string marker, long campusId)
    {
        var person = new Person { FirstName = first, LastName = marker, CampusId = campusId };
        person.RefreshSearchColumns();
        return person;
    }
}
