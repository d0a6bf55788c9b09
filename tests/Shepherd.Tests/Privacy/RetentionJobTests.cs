using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shepherd.Data;
using Shepherd.Data.Attendance;
using Shepherd.Data.Audit;
using Shepherd.Data.Organizations;
using Shepherd.Data.People;
using Shepherd.Data.Services;
using Shepherd.Features.Privacy;
using Shepherd.Operations.Migrations;
using Shepherd.Tests.Cli;
using Shepherd.Tests.Jobs;
using Shouldly;

namespace Shepherd.Tests.Privacy;

public sealed class RetentionJobSqliteTests : RetentionJobTests
{
    protected override Task<CliDatabase> CreateDatabaseAsync() => Task.FromResult<CliDatabase>(new SqliteCliDatabase());
}

public sealed class RetentionJobPostgresTests : RetentionJobTests
{
    protected override async Task<CliDatabase> CreateDatabaseAsync() => await PostgresCliDatabase.CreateAsync();
}

/// <summary>The daily retention job fired through Quartz in the worker host, with the application's clock moved by the test.</summary>
public abstract class RetentionJobTests
{
    protected abstract Task<CliDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task It_erases_people_archived_too_long_and_drops_old_audit_entries_per_organization_by_the_injected_clock()
    {
        await using var database = await CreateDatabaseAsync();
        try
        {
            using (var migrate = JobHost.Build(database))
            {
                await migrate.Services.GetRequiredService<SchemaMigrator>().ApplyAsync(CancellationToken.None);
            }
            var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
            await using var jobs = await JobHost.StartAsync(database, null,
                s => s.AddSingleton<TimeProvider>(clock));
            var contexts = jobs.Services.GetRequiredService<ShepherdDbContextFactory>();
            var now = clock.GetUtcNow();

            long strict, relaxed;
            await using (var db = contexts.Create(null, AuditActor.System))
            {
                var strictOrganization = new Organization { Name = "Strict", ArchivedPeopleRetentionDays = 30, AuditRetentionDays = 90 };
                var relaxedOrganization = new Organization { Name = "Relaxed" };
                db.Organizations.AddRange(strictOrganization, relaxedOrganization);
                await db.SaveChangesAsync();
                (strict, relaxed) = (strictOrganization.Id, relaxedOrganization.Id);
            }
            var longArchived = await PersonAsync(contexts, strict, "Longgone", now.AddDays(-40));
            var recentlyArchived = await PersonAsync(contexts, strict, "Recently", now.AddDays(-10));
            var active = await PersonAsync(contexts, strict, "Active", null);
            var otherOrganizations = await PersonAsync(contexts, relaxed, "Keptforever", now.AddDays(-4000));
            await using (var db = contexts.Create(strict, AuditActor.System))
            {
                var service = new Service { CampusId = 0, Name = "Sunday", StartsAt = now.AddDays(-50), Date = DateOnly.FromDateTime(now.AddDays(-50).UtcDateTime) };
                db.Campuses.Add(new Campus { Name = "Main" });
                await db.SaveChangesAsync();
                service.CampusId = await db.Campuses.Select(c => c.Id).SingleAsync();
                db.Services.Add(service);
                await db.SaveChangesAsync();
                db.Attendance.Add(new AttendanceRecord { PersonId = longArchived, ServiceId = service.Id, ServiceDate = service.Date, CheckedInAt = service.StartsAt });
                await db.SaveChangesAsync();
            }
            foreach (var (organization, daysAgo) in new[] { (strict, 100), (strict, 80), (relaxed, 1000) })
            {
                await using var db = contexts.Create(organization, AuditActor.System);
                db.AuditEntries.Add(new AuditEntry
                {
                    At = now.AddDays(-daysAgo),
                    Actor = "test",
                    Action = AuditAction.SignedIn,
                    EntityType = "User",
                    EntityId = $"old-{daysAgo}",
                });
                await db.SaveChangesAsync();
            }

            var first = await jobs.RunAsync<RetentionReport>(RetentionJob.Key);

            first.Error.ShouldBeNull();
            first.Organizations.ShouldBe([new RetentionReport.Organization(strict, 1, 1)], "the organization without settings is left alone");
            (await NameAsync(contexts, strict, longArchived)).ShouldBe($"Erased person {longArchived}");
            (await NameAsync(contexts, strict, recentlyArchived)).ShouldBe("Recently Archived");
            (await NameAsync(contexts, strict, active)).ShouldBe("Active Archived");
            (await NameAsync(contexts, relaxed, otherOrganizations)).ShouldBe("Keptforever Archived");
            await using (var db = contexts.Create(strict, AuditActor.System))
            {
                (await db.Attendance.CountAsync(a => a.PersonId == longArchived)).ShouldBe(1, "attendance stays with the anonymized person");
                (await db.AuditEntries.AnyAsync(e => e.EntityId == "old-100")).ShouldBeFalse();
                (await db.AuditEntries.AnyAsync(e => e.EntityId == "old-80")).ShouldBeTrue();
                var erased = await db.AuditEntries.SingleAsync(e => e.Action == AuditAction.Erased);
                erased.Actor.ShouldBe("retention job");
                erased.At.ShouldBe(now);
            }
            await using (var db = contexts.Create(relaxed, AuditActor.System))
            {
                (await db.AuditEntries.AnyAsync(e => e.EntityId == "old-1000")).ShouldBeTrue();
            }

            // 25 days on, the recently archived person has been archived 35 days and the 80-day entry is 105 days old.
            clock.Advance(TimeSpan.FromDays(25));
            var second = await jobs.RunAsync<RetentionReport>(RetentionJob.Key);

            second.Organizations.ShouldBe([new RetentionReport.Organization(strict, 1, 1)]);
            (await NameAsync(contexts, strict, recentlyArchived)).ShouldBe($"Erased person {recentlyArchived}");
            (await NameAsync(contexts, strict, active)).ShouldBe("Active Archived");
            (await NameAsync(contexts, strict, longArchived)).ShouldBe($"Erased person {longArchived}", "erased once, not again");
        }
        finally
        {
            JobHost.DeleteDataFolder(database);
        }
    }

    private static async Task<long> PersonAsync(ShepherdDbContextFactory contexts, long organization, string first, DateTimeOffset? archivedAt)
    {
        await using var db = contexts.Create(organization, AuditActor.System);
        var person = new Person { FirstName = first, LastName = "Archived", ArchivedAt = archivedAt, Active = archivedAt is null };
        person.Emails.Add(new PersonEmail { Address = $"{first}@example.org", NormalizedAddress = $"{first}@example.org".ToLowerInvariant(), IsPrimary = true });
        person.RefreshSearchColumns();
        db.People.Add(person);
        await db.SaveChangesAsync();
        return person.Id;
    }

    private static async Task<string> NameAsync(ShepherdDbContextFactory contexts, long organization, long id)
    {
        await using var db = contexts.Create(organization, AuditActor.System);
        return await db.People.Where(p => p.Id == id).Select(p => p.FirstName + " " + p.LastName).SingleAsync();
    }
}
