using Bogus;
using Shepherd.Cli;
using Shepherd.Data.Attendance;
using Shepherd.Data.Organizations;
using Shepherd.Data.People;
using Shepherd.Data.Services;
using Person = Shepherd.Data.People.Person;

namespace Shepherd.Features.Demo;

/// <summary>
/// Weekly services at every campus (worship at 9:00 and 11:00 local time, kids church at 9:00) and who came:
/// households come together with their own habit; young children at the 9:00 service are checked in to kids
/// church with a security code and checked out by a parent who came.
/// </summary>
public sealed class DemoAttendanceSimulator(Randomizer random, long organizationId, TimeZoneInfo timeZone, DateTimeOffset now)
{
    private const string CodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private static readonly TimeSpan ServiceLength = TimeSpan.FromMinutes(75);

    private readonly Dictionary<(long Campus, int Week), SundayServices> _sundays = [];

    /// <summary>The most recent Sunday whose services are over: today's services count only from next week.</summary>
    public static DateOnly LastSunday(DateTimeOffset now, TimeZoneInfo timeZone)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, timeZone).DateTime);
        var back = (int)today.DayOfWeek == 0 ? 7 : (int)today.DayOfWeek;
        return today.AddDays(-back);
    }

    /// <summary>The services of every campus and week, giving new ones ids; services that already exist (same campus, start and name: an `--append` run) are reused.</summary>
    public List<Service> PlanServices(IReadOnlyList<Campus> campuses, DateOnly firstSunday, int weeks,
        IReadOnlyDictionary<(long CampusId, DateTimeOffset StartsAt, string Name), long> existing, DemoIds ids)
    {
        var created = new List<Service>();
        for (var week = 0; week < weeks; week++)
        {
            var date = firstSunday.AddDays(7 * week);
            foreach (var campus in campuses)
            {
                _sundays[(campus.Id, week)] = new SundayServices(
                    Plan(campus, date, "Sunday Worship 9:00", ServiceKind.Worship, 9),
                    Plan(campus, date, "Sunday Worship 11:00", ServiceKind.Worship, 11),
                    Plan(campus, date, "Kids Church", ServiceKind.Kids, 9));
            }
        }
        return created;

        PlannedService Plan(Campus campus, DateOnly date, string name, ServiceKind kind, int hour)
        {
            var startsAt = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(date.ToDateTime(new TimeOnly(hour, 0)), timeZone), TimeSpan.Zero);
            if (!existing.TryGetValue((campus.Id, startsAt, name), out var id))
            {
                id = ids.Service++;
                created.Add(new Service
                {
                    Id = id,
                    OrganizationId = organizationId,
                    CampusId = campus.Id,
                    Name = name,
                    Kind = kind,
                    StartsAt = startsAt,
                    EndsAt = startsAt + ServiceLength,
                    Date = date,
                    CreatedAt = now,
                    UpdatedAt = now,
                });
            }
            return new PlannedService(id, date, startsAt);
        }
    }

    /// <summary>Attendance week by week (oldest first), produced lazily so millions of rows never sit in memory.</summary>
    public IEnumerable<AttendanceRecord> Attendance(IReadOnlyList<DemoHousehold> households, int weeks, IProgressStep progress)
    {
        for (var week = 0; week < weeks; week++)
        {
            foreach (var household in households)
            {
                var probability = household.ProbabilityAt(week);
                if (probability <= 0 || !random.Bool((float)probability) || household.Family.CampusId is not { } campus)
                {
                    continue;
                }
                foreach (var record in HouseholdAtChurch(household, _sundays[(campus, week)]))
                {
                    yield return record;
                }
            }
            progress.Advance();
        }
    }

    private IEnumerable<AttendanceRecord> HouseholdAtChurch(DemoHousehold household, SundayServices sunday)
    {
        var hour = random.Bool(0.9f) ? household.PreferredHour : household.PreferredHour == 9 ? 11 : 9;
        var worship = hour == 9 ? sunday.Early : sunday.Late;
        var adults = household.Adults.Where(_ => random.Bool(0.93f)).ToList();
        if (adults.Count == 0)
        {
            adults.Add(household.Adults[0]);
        }
        foreach (var adult in adults)
        {
            yield return Arrive(adult, worship, CheckInMethod.List);
        }
        var code = new string(random.ArrayElements(CodeAlphabet.ToCharArray(), 4));
        var parent = adults[0];
        foreach (var child in household.Children)
        {
            if (child.BirthDate is { } born && born > worship.Date || !random.Bool(0.95f))
            {
                continue;
            }
            var young = child.BirthDate is not { } birth || birth.AddYears(12) > worship.Date;
            if (hour == 9 && young)
            {
                var record = Arrive(child, sunday.Kids, CheckInMethod.Kiosk);
                record.SecurityCode = code;
                record.CheckedOutAt = sunday.Kids.StartsAt + ServiceLength + TimeSpan.FromMinutes(random.Number(0, 20));
                record.PickedUpBy = $"{parent.FirstName} {parent.LastName}";
                yield return record;
            }
            else
            {
                yield return Arrive(child, worship, CheckInMethod.List);
            }
        }
    }

    private AttendanceRecord Arrive(Person person, PlannedService service, CheckInMethod method) => new()
    {
        OrganizationId = organizationId,
        PersonId = person.Id,
        ServiceId = service.Id,
        ServiceDate = service.Date,
        CheckedInAt = service.StartsAt - TimeSpan.FromMinutes(random.Number(0, 15)),
        Method = method,
    };

    private sealed record PlannedService(long Id, DateOnly Date, DateTimeOffset StartsAt);

    private sealed record SundayServices(PlannedService Early, PlannedService Late, PlannedService Kids);
}
