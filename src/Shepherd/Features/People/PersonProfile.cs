using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.CustomFields;
using Shepherd.Data.Families;
using Shepherd.Data.Groups;
using Shepherd.Data.Notes;
using Shepherd.Data.People;
using Shepherd.Data.Services;
using Shepherd.Features.Notes;
using Shepherd.Platform;
using Shepherd.Platform.Accounts;

namespace Shepherd.Features.People;

public sealed record ProfileFamily(long Id, string Name, FamilyRole Role, bool Archived);

public sealed record ProfileGroup(long Id, string Name, GroupRole Role, DateOnly JoinedOn);

public sealed record ProfileBadge(long Id, long TypeId, string Name, string Color, DateOnly AwardedOn, string? Note);

public sealed record ProfileService(DateOnly Date, string Name, ServiceKind Kind);

public sealed record ProfileNote(long Id, long? AuthorUserId, string AuthorName, NoteVisibility Visibility, string Text, DateOnly NoteDate, int Version);

/// <summary>
/// Everything the profile page shows about one person, each part read only when the caller's role may see it (contact,
/// families, groups, attendance, badges, notes), each with one query and none per row. Group leaders see only their
/// groups' people, and of the person's groups only those they lead.
/// </summary>
public sealed class PersonProfile
{
    public const int Weeks = 52;
    public const int RecentServices = 10;
    public const int NotesPerPage = 20;

    public required Person Person { get; init; }
    public required DateOnly Today { get; init; }
    public string? CampusName { get; init; }
    public string? MergedIntoName { get; init; }
    public IReadOnlyList<(CustomFieldDefinition Field, string Value)> CustomValues { get; init; } = [];
    public IReadOnlyList<ProfileFamily> Families { get; init; } = [];
    public IReadOnlyList<ProfileGroup> Groups { get; init; } = [];
    /// <summary>Services attended per week, oldest first; the last entry is the week ending today.</summary>
    public IReadOnlyList<int> WeeklyAttendance { get; init; } = [];
    public IReadOnlyList<ProfileService> Recent { get; init; } = [];
    public IReadOnlyList<ProfileBadge> Badges { get; init; } = [];
    public IReadOnlyList<ProfileNote> Notes { get; init; } = [];
    public int NotesTotal { get; init; }

    public string Name => PersonDetail.DisplayNameOf(Person.FirstName, Person.PreferredName, Person.LastName);

    public static async Task<PersonProfile?> LoadAsync(ShepherdDbContext db, ClaimsPrincipal user, TimeProvider clock, long id, int notesPage, CancellationToken ct)
    {
        var scope = CallerScope.For(user, db);
        var person = await scope.People(db.People.AsNoTracking())
            .Include(p => p.Emails).Include(p => p.Phones).Include(p => p.CustomFieldValues)
            .AsSplitQuery()
            .FirstOrDefaultAsync(p => p.Id == id, ct);
        if (person is null)
        {
            return null;
        }
        var today = await OrganizationCalendar.TodayAsync(db, clock, ct);
        var definitions = await db.CustomFields.AsNoTracking().OrderBy(f => f.SortOrder).ThenBy(f => f.Label).ToListAsync(ct);
        var values = person.CustomFieldValues.ToDictionary(v => v.DefinitionId, v => v.Value);
        var notes = user.Has(Permission.NotesRead)
            ? PersonNotes.VisibleTo(db.Notes.AsNoTracking(), user).Where(n => n.PersonId == id)
            : null;
        var reachableGroups = scope.Groups(db.Groups).Where(g => g.ArchivedAt == null).Select(g => g.Id);
        var firstWeek = today.AddDays(-(Weeks * 7) + 1);
        var attended = user.Has(Permission.AttendanceRead)
            ? await scope.Attendance(db.Attendance.AsNoTracking()).Where(a => a.PersonId == id && a.ServiceDate >= firstWeek && a.ServiceDate <= today)
                .Select(a => a.ServiceDate).ToListAsync(ct)
            : [];
        return new PersonProfile
        {
            Person = person,
            Today = today,
            CampusName = person.CampusId is { } campusId
                ? await db.Campuses.AsNoTracking().Where(c => c.Id == campusId).Select(c => c.Name).FirstOrDefaultAsync(ct)
                : null,
            MergedIntoName = person.MergedIntoId is { } into
                ? await db.People.AsNoTracking().Where(p => p.Id == into).Select(p => (p.PreferredName ?? p.FirstName) + " " + p.LastName).FirstOrDefaultAsync(ct)
                : null,
            CustomValues = [.. definitions.Where(d => values.ContainsKey(d.Id)).Select(d => (d, values[d.Id]))],
            Families = user.Has(Permission.FamiliesRead)
                ? await db.FamilyMembers.AsNoTracking().Where(m => m.PersonId == id).OrderBy(m => m.Family!.Name).ThenBy(m => m.FamilyId)
                    .Select(m => new ProfileFamily(m.FamilyId, m.Family!.Name, m.Role, m.Family.ArchivedAt != null)).ToListAsync(ct)
                : [],
            Groups = user.Has(Permission.GroupsRead)
                ? await db.GroupMembers.AsNoTracking()
                    .Where(m => m.PersonId == id && reachableGroups.Contains(m.GroupId))
                    .OrderBy(m => m.Group!.Name).ThenBy(m => m.GroupId)
                    .Select(m => new ProfileGroup(m.GroupId, m.Group!.Name, m.Role, m.JoinedOn)).ToListAsync(ct)
                : [],
            WeeklyAttendance = WeeklyCounts(attended, today),
            Recent = user.Has(Permission.AttendanceRead)
                ? await scope.Attendance(db.Attendance.AsNoTracking()).Where(a => a.PersonId == id)
                    .OrderByDescending(a => a.ServiceDate).ThenByDescending(a => a.ServiceId).Take(RecentServices)
                    .Select(a => new ProfileService(a.ServiceDate, a.Service!.Name, a.Service.Kind)).ToListAsync(ct)
                : [],
            Badges = user.Has(Permission.BadgesRead)
                ? await db.Badges.AsNoTracking().Where(b => b.PersonId == id).OrderByDescending(b => b.AwardedOn).ThenByDescending(b => b.Id)
                    .Select(b => new ProfileBadge(b.Id, b.BadgeTypeId, b.BadgeType!.Name, b.BadgeType.Color, b.AwardedOn, b.Note)).ToListAsync(ct)
                : [],
            NotesTotal = notes is null ? 0 : await notes.CountAsync(ct),
            Notes = notes is null ? [] : await notes.OrderByDescending(n => n.NoteDate).ThenByDescending(n => n.Id)
                .Skip((notesPage - 1) * NotesPerPage).Take(NotesPerPage)
                .Select(n => new ProfileNote(n.Id, n.AuthorUserId, n.AuthorName, n.Visibility, n.Text, n.NoteDate, n.Version)).ToListAsync(ct),
        };
    }

    /// <summary>Week 0 is the oldest of the <see cref="Weeks"/> weeks; the last ends today.</summary>
    public static int[] WeeklyCounts(IEnumerable<DateOnly> dates, DateOnly today)
    {
        var counts = new int[Weeks];
        foreach (var date in dates)
        {
            var weeksAgo = (today.DayNumber - date.DayNumber) / 7;
            if (weeksAgo is >= 0 and < Weeks)
            {
                counts[Weeks - 1 - weeksAgo]++;
            }
        }
        return counts;
    }

    /// <summary>The first day of week <paramref name="index"/> of <see cref="WeeklyAttendance"/>.</summary>
    public DateOnly WeekStart(int index) => Today.AddDays(-((Weeks - 1 - index) * 7) - 6);
}
