using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Families;
using Shepherd.Data.Groups;
using Shepherd.Data.Services;
using Shouldly;

namespace Shepherd.Tests.Cli;

/// <summary>`shepherd seed-demo`, run as the real executable; the invariants are checked in the database it filled.</summary>
public abstract partial class SeedDemoCommandTests
{
    protected abstract Task<CliDatabase> NewDatabaseAsync();

    private async Task<CliDatabase> MigratedDatabaseAsync()
    {
        var db = await NewDatabaseAsync();
        var up = await db.RunAsync("migrate", "up");
        up.ExitCode.ShouldBe(0, up.ToString());
        return db;
    }

    [Fact]
    public async Task Seed_demo_fills_a_new_organization_with_consistent_data_and_reports_what_it_wrote()
    {
        await using var db = await MigratedDatabaseAsync();

        var result = await db.RunAsync("seed-demo", "--members", "300");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("Created organization 'Demo Church'");
        result.Stdout.ShouldContain("Attendance (104 weeks): 100%");
        result.Stdout.ShouldMatch(@"Elapsed: \d+\.\d+s");
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            result.Stdout.ShouldMatch(@"Database file: \d+\.\d MiB");
        }
        var printed = SummaryCounts(result.Stdout);
        await using var ctx = await OrganizationContextAsync(db, "Demo Church");

        var stored = new Dictionary<string, long>
        {
            ["campuses"] = await ctx.Campuses.CountAsync(),
            ["badge_types"] = await ctx.BadgeTypes.CountAsync(),
            ["custom_fields"] = await ctx.CustomFields.CountAsync(),
            ["families"] = await ctx.Families.CountAsync(),
            ["people"] = await ctx.People.CountAsync(),
            ["family_members"] = await ctx.FamilyMembers.CountAsync(),
            ["person_emails"] = await ctx.PersonEmails.CountAsync(),
            ["person_phones"] = await ctx.PersonPhones.CountAsync(),
            ["authorized_pickups"] = await ctx.AuthorizedPickups.CountAsync(),
            ["groups"] = await ctx.Groups.CountAsync(),
            ["group_members"] = await ctx.GroupMembers.CountAsync(),
            ["badges"] = await ctx.Badges.CountAsync(),
            ["custom_field_values"] = await ctx.CustomFieldValues.CountAsync(),
            ["notes"] = await ctx.Notes.CountAsync(),
            ["services"] = await ctx.Services.CountAsync(),
            ["attendance"] = await ctx.Attendance.CountAsync(),
        };
        printed.ShouldBe(stored);
        stored["people"].ShouldBe(300);
        stored["campuses"].ShouldBeInRange(2, 3);
        stored["badge_types"].ShouldBe(8);
        stored["groups"].ShouldBe(300 / 15);
        stored["services"].ShouldBe(stored["campuses"] * 3 * 104);
        stored["attendance"].ShouldBeGreaterThan(300 * 104 / 10);
        stored["notes"].ShouldBeInRange(60, 120);

        // One audit entry summarises the seed; the demo rows are not user changes.
        var audit = await ctx.AuditEntries.ToListAsync();
        audit.Count.ShouldBe(1);
        audit[0].EntityType.ShouldBe("DemoData");
        audit[0].Changes.ShouldNotBeNull().ShouldContain("\"attendance\":" + stored["attendance"]);
    }

    [Fact]
    public async Task Seeded_families_people_and_groups_are_believable()
    {
        await using var db = await MigratedDatabaseAsync();
        (await db.RunAsync("seed-demo", "--members", "300", "--weeks", "20")).ExitCode.ShouldBe(0);
        await using var ctx = await OrganizationContextAsync(db, "Demo Church");
        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);

        (await ctx.People.CountAsync(p => !p.FamilyMemberships.Any())).ShouldBe(0, "everyone lives in a family");
        var members = await ctx.FamilyMembers.Select(m => new { m.FamilyId, m.Role, m.Person!.BirthDate, m.Person.Email }).ToListAsync();
        foreach (var family in members.GroupBy(m => m.FamilyId))
        {
            family.Count().ShouldBeInRange(1, 6);
            family.ShouldContain(m => m.Role == FamilyRole.Adult, $"family {family.Key} has no adult");
        }
        members.Where(m => m.Role == FamilyRole.Child && m.BirthDate is not null)
            .ShouldAllBe(m => m.BirthDate!.Value > today.AddYears(-18));
        members.Where(m => m.Role == FamilyRole.Adult && m.BirthDate is not null)
            .ShouldAllBe(m => m.BirthDate!.Value <= today.AddYears(-18));
        members.Where(m => m.Role == FamilyRole.Adult).ShouldAllBe(m => m.Email != null);
        members.GroupBy(m => m.FamilyId).Count(f => f.Count() == 1).ShouldBeGreaterThan(0, "some adults live alone");

        var groups = await ctx.Groups.Select(g => new { g.Id, Leaders = g.Members.Count(m => m.Role == GroupRole.Leader), Size = g.Members.Count }).ToListAsync();
        groups.ShouldAllBe(g => g.Leaders >= 1 && g.Size >= 6);

        // A known pickup person is an adult of the church, never a parent of the same family.
        var pickups = await ctx.AuthorizedPickups.Where(p => p.PersonId != null).Select(p => new { p.FamilyId, p.PersonId }).ToListAsync();
        var adultsByFamily = await ctx.FamilyMembers.Where(m => m.Role == FamilyRole.Adult).Select(m => new { m.FamilyId, m.PersonId }).ToListAsync();
        pickups.ShouldAllBe(p => !adultsByFamily.Any(a => a.FamilyId == p.FamilyId && a.PersonId == p.PersonId));

        var shirtSizes = await ctx.CustomFieldValues.Where(v => v.Definition!.Key == "shirt-size").Select(v => v.Value).Distinct().ToListAsync();
        shirtSizes.ShouldNotBeEmpty();
        shirtSizes.ShouldAllBe(s => new[] { "XS", "S", "M", "L", "XL", "XXL" }.Contains(s));
        (await ctx.Notes.Select(n => n.Visibility).Distinct().CountAsync()).ShouldBe(3, "notes of every visibility");
    }

    [Fact]
    public async Task Seeded_attendance_follows_the_services_and_the_people()
    {
        await using var db = await MigratedDatabaseAsync();
        (await db.RunAsync("seed-demo", "--members", "300", "--weeks", "30")).ExitCode.ShouldBe(0);
        await using var ctx = await OrganizationContextAsync(db, "Demo Church");
        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);

        var services = await ctx.Services.ToListAsync();
        services.ShouldAllBe(s => s.Date.DayOfWeek == DayOfWeek.Sunday);
        services.Max(s => s.Date).ShouldBeInRange(today.AddDays(-8), today.AddDays(-1));
        services.Select(s => s.Date).Distinct().Count().ShouldBe(30);
        services.Where(s => s.Kind == ServiceKind.Worship).Select(s => s.Name).Distinct().Order()
            .ShouldBe(["Sunday Worship 11:00", "Sunday Worship 9:00"]);

        (await ctx.Attendance.CountAsync(a => !ctx.Services.Any(s => s.Id == a.ServiceId))).ShouldBe(0, "attendance only at the organization's services");
        (await ctx.Attendance.CountAsync(a => a.ServiceDate != a.Service!.Date)).ShouldBe(0);
        (await ctx.Attendance.CountAsync(a => a.Person!.BirthDate != null && a.ServiceDate < a.Person.BirthDate)).ShouldBe(0, "nobody attends before they are born");

        var kids = await ctx.Attendance.Where(a => a.Service!.Kind == ServiceKind.Kids)
            .Select(a => new { a.PersonId, a.ServiceDate, a.CheckedInAt, a.CheckedOutAt, a.SecurityCode, a.PickedUpBy, a.Person!.BirthDate })
            .ToListAsync();
        kids.ShouldNotBeEmpty();
        kids.ShouldAllBe(k => k.SecurityCode != null && k.SecurityCode.Length == 4 && k.PickedUpBy != null);
        kids.ShouldAllBe(k => k.CheckedOutAt != null && k.CheckedOutAt > k.CheckedInAt);
        kids.Where(k => k.BirthDate != null).ShouldAllBe(k => k.BirthDate!.Value.AddYears(12) > k.ServiceDate);
        // The child is picked up by an adult of their own family.
        var adultNames = await ctx.FamilyMembers.Where(m => m.Role == FamilyRole.Adult)
            .Select(m => new { m.FamilyId, Name = m.Person!.FirstName + " " + m.Person.LastName }).ToListAsync();
        var childFamilies = await ctx.FamilyMembers.Where(m => m.Role == FamilyRole.Child).Select(m => new { m.PersonId, m.FamilyId }).ToListAsync();
        foreach (var k in kids.Take(200))
        {
            var family = childFamilies.First(c => c.PersonId == k.PersonId).FamilyId;
            adultNames.Where(a => a.FamilyId == family).Select(a => a.Name).ShouldContain(k.PickedUpBy);
        }

        // Habits differ: regulars, occasional visitors, and a weekly crowd that is a sensible share of the church.
        var perPerson = await ctx.Attendance.GroupBy(a => a.PersonId).Select(g => g.Count()).ToListAsync();
        perPerson.Count(n => n <= 2).ShouldBeGreaterThan(0, "visitors come once or twice");
        perPerson.Count(n => n >= 20).ShouldBeGreaterThan(0, "regulars come most weeks");
        var weekly = await ctx.Attendance.GroupBy(a => a.ServiceDate).Select(g => g.Count()).ToListAsync();
        weekly.Average().ShouldBeInRange(300 * 0.25, 300 * 0.85);
    }

    [Fact]
    public async Task Seed_demo_refuses_an_organization_that_already_has_people_unless_appending()
    {
        await using var db = await MigratedDatabaseAsync();
        (await db.RunAsync("seed-demo", "--members", "50", "--weeks", "4")).ExitCode.ShouldBe(0);
        await using var before = await OrganizationContextAsync(db, "Demo Church");
        var attendance = await before.Attendance.CountAsync();
        var services = await before.Services.CountAsync();

        var refused = await db.RunAsync("seed-demo", "--members", "50", "--weeks", "4");

        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Stderr.ShouldContain("already has 50 people");
        refused.Stderr.ShouldContain("--append");
        await using (var after = await OrganizationContextAsync(db, "Demo Church"))
        {
            (await after.People.CountAsync()).ShouldBe(50);
            (await after.Attendance.CountAsync()).ShouldBe(attendance);
            (await after.AuditEntries.CountAsync()).ShouldBe(1);
        }

        var appended = await db.RunAsync("seed-demo", "--members", "20", "--weeks", "4", "--append", "--seed", "2");

        appended.ExitCode.ShouldBe(0, appended.ToString());
        appended.Stdout.ShouldContain("Filled organization 'Demo Church'");
        await using var appendedContext = await OrganizationContextAsync(db, "Demo Church");
        (await appendedContext.People.CountAsync()).ShouldBe(70);
        (await appendedContext.Services.CountAsync()).ShouldBe(services, "the same Sundays' services are reused");
        (await appendedContext.BadgeTypes.CountAsync()).ShouldBe(8, "badge types are reused");
        (await appendedContext.Attendance.CountAsync()).ShouldBeGreaterThan(attendance);
        (await appendedContext.AuditEntries.CountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_data()
    {
        await using var first = await MigratedDatabaseAsync();
        await using var second = await MigratedDatabaseAsync();
        (await first.RunAsync("seed-demo", "--members", "40", "--weeks", "3", "--seed", "7")).ExitCode.ShouldBe(0);
        (await second.RunAsync("seed-demo", "--members", "40", "--weeks", "3", "--seed", "7")).ExitCode.ShouldBe(0);
        (await second.RunAsync("seed-demo", "--members", "40", "--weeks", "3", "--seed", "8", "--organization", "Other Church")).ExitCode.ShouldBe(0);

        var a = await SnapshotAsync(first, "Demo Church");
        var b = await SnapshotAsync(second, "Demo Church");
        var c = await SnapshotAsync(second, "Other Church");

        b.ShouldBe(a);
        c.ShouldNotBe(a);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2000001")]
    [InlineData("-5")]
    public async Task Seed_demo_refuses_a_member_count_out_of_range(string members)
    {
        await using var db = await NewDatabaseAsync();

        var result = await db.RunAsync("seed-demo", "--members", members);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("--members must be between 1 and 2,000,000");
    }

    [Fact]
    public async Task Seed_demo_without_members_or_with_a_bad_number_is_a_usage_error()
    {
        await using var db = await NewDatabaseAsync();

        var missing = await db.RunAsync("seed-demo");
        var notANumber = await db.RunAsync("seed-demo", "--members", "lots");
        var badWeeks = await db.RunAsync("seed-demo", "--members", "10", "--weeks", "0");

        missing.ExitCode.ShouldNotBe(0);
        missing.Stderr.ShouldContain("--members");
        notANumber.ExitCode.ShouldNotBe(0);
        notANumber.Stderr.ShouldContain("lots");
        badWeeks.ExitCode.ShouldBe(1, badWeeks.ToString());
        badWeeks.Stderr.ShouldContain("--weeks must be between 1 and 520");
    }

    private static async Task<ShepherdDbContext> OrganizationContextAsync(CliDatabase db, string organization)
    {
        await using var global = db.Context(null);
        var id = await global.Organizations.Where(o => o.Name == organization).Select(o => o.Id).SingleAsync();
        return db.Context(id);
    }

    private static async Task<string> SnapshotAsync(CliDatabase db, string organization)
    {
        await using var ctx = await OrganizationContextAsync(db, organization);
        var people = await ctx.People.OrderBy(p => p.Id).Select(p => p.FirstName + " " + p.LastName + " " + p.BirthDate + " " + p.Email).ToListAsync();
        var attendance = await ctx.Attendance.CountAsync();
        var groups = await ctx.Groups.OrderBy(g => g.Id).Select(g => g.Name).ToListAsync();
        return string.Join('\n', people.Concat(groups).Append(attendance.ToString(CultureInfo.InvariantCulture)));
    }

    private static Dictionary<string, long> SummaryCounts(string stdout) =>
        SummaryLine().Matches(stdout).Where(m => m.Groups[1].Value != "total")
            .ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^  ([a-z_]+)\s+([\d,]+)$", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();
}

public sealed class SqliteSeedDemoCommandTests : SeedDemoCommandTests
{
    protected override Task<CliDatabase> NewDatabaseAsync() => Task.FromResult<CliDatabase>(new SqliteCliDatabase());
}

public sealed class PostgresSeedDemoCommandTests : SeedDemoCommandTests
{
    protected override async Task<CliDatabase> NewDatabaseAsync() => await PostgresCliDatabase.CreateAsync();
}
