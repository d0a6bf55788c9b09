using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bogus;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Shepherd.Cli;
using Shepherd.Data;
using Shepherd.Data.Attendance;
using Shepherd.Data.Audit;
using Shepherd.Data.Badges;
using Shepherd.Data.CustomFields;
using Shepherd.Data.Families;
using Shepherd.Data.Groups;
using Shepherd.Data.Notes;
using Shepherd.Data.Organizations;
using Shepherd.Data.People;
using Shepherd.Data.Services;
using Person = Shepherd.Data.People.Person;

namespace Shepherd.Features.Demo;

public sealed record DemoSeedOptions(int Members, string OrganizationName, int Seed, bool Append, int Weeks)
{
    public const int MaxMembers = 2_000_000;
    public const int MaxWeeks = 520;

    /// <summary>The first thing wrong with the options, as a sentence that says how to fix it; null when they are fine.</summary>
    public string? Problem() =>
        Members is < 1 or > MaxMembers ? string.Create(CultureInfo.InvariantCulture, $"--members must be between 1 and {MaxMembers:N0} (got {Members}), e.g. --members 500.")
        : Weeks is < 1 or > MaxWeeks ? $"--weeks must be between 1 and {MaxWeeks} (got {Weeks}); the default is 104 (two years)."
        : OrganizationName.Trim().Length is 0 or > 200 ? "--organization must be 1 to 200 characters, e.g. --organization \"Demo Church\"."
        : null;
}

public sealed record DemoSeedResult(
    long OrganizationId, string OrganizationName, bool OrganizationCreated,
    IReadOnlyDictionary<string, long> Counts, TimeSpan Elapsed, long? DatabaseBytes);

/// <summary>
/// `seed-demo`: generates a demo organization's people and history and bulk-writes it. The rows are not user changes,
/// so instead of one audit entry per row a single entry records the seed and what it wrote.
/// </summary>
public sealed class DemoSeeder(ShepherdDbContextFactory contexts, DatabaseTarget target, TimeProvider clock)
{
    private static readonly AuditActor Actor = new(null, "cli (seed-demo)");

    public async Task<DemoSeedResult> SeedAsync(DemoSeedOptions options, CliProgress progress, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var now = clock.GetUtcNow();
        var (organization, created) = await FindOrCreateOrganizationAsync(options, now, cancellationToken);

        await using var db = contexts.Create(organization.Id, Actor);
        var people = await db.People.CountAsync(cancellationToken);
        if (people > 0 && !options.Append)
        {
            throw new CommandException(string.Create(CultureInfo.InvariantCulture,
                $"'{organization.Name}' already has {people:N0} people, so nothing was written. Add --append to add ") +
                string.Create(CultureInfo.InvariantCulture, $"{options.Members:N0} more demo people to it, or name an empty or new organization with --organization."));
        }
        var campuses = await db.Campuses.AsNoTracking().OrderBy(c => c.Id).ToListAsync(cancellationToken);
        var badgeTypes = await db.BadgeTypes.AsNoTracking().ToListAsync(cancellationToken);
        var fields = await db.CustomFields.AsNoTracking().ToListAsync(cancellationToken);
        var existingServices = await db.Services.AsNoTracking()
            .Select(s => new { s.CampusId, s.StartsAt, s.Name, s.Id }).ToListAsync(cancellationToken);

        await using var writer = await DemoDataWriter.OpenAsync(db, target.Provider, cancellationToken);
        var ids = new DemoIds
        {
            Campus = await writer.MaxIdAsync<Campus>(cancellationToken) + 1,
            Family = await writer.MaxIdAsync<Family>(cancellationToken) + 1,
            Person = await writer.MaxIdAsync<Person>(cancellationToken) + 1,
            Group = await writer.MaxIdAsync<Group>(cancellationToken) + 1,
            BadgeType = await writer.MaxIdAsync<BadgeType>(cancellationToken) + 1,
            CustomField = await writer.MaxIdAsync<CustomFieldDefinition>(cancellationToken) + 1,
            Service = await writer.MaxIdAsync<Service>(cancellationToken) + 1,
        };

        var timeZone = TimeZoneOf(organization);
        var lastSunday = DemoAttendanceSimulator.LastSunday(now, timeZone);
        var firstSunday = lastSunday.AddDays(-7 * (options.Weeks - 1));
        var faker = new Faker("en") { Random = new Randomizer(options.Seed) };

        var generating = progress.Step("Generating people", 1);
        var population = new DemoDataGenerator(faker, organization.Id, now, firstSunday)
            .Generate(options.Members, ids, campuses, badgeTypes, fields);
        campuses.AddRange(population.Campuses);
        var simulator = new DemoAttendanceSimulator(faker.Random, organization.Id, timeZone, now);
        var services = simulator.PlanServices(campuses, firstSunday, options.Weeks,
            existingServices.DistinctBy(s => (s.CampusId, s.StartsAt, s.Name)).ToDictionary(s => (s.CampusId, s.StartsAt, s.Name), s => s.Id), ids);
        generating.Advance();

        await writer.WriteAsync(population.Campuses, explicitIds: true, null, cancellationToken);
        await writer.WriteAsync(population.BadgeTypes, explicitIds: true, null, cancellationToken);
        await writer.WriteAsync(population.CustomFields, explicitIds: true, null, cancellationToken);
        await WriteAsync(writer, "Families", population.Households.Select(h => h.Family), population.Households.Count, explicitIds: true, progress, cancellationToken);
        await WriteAsync(writer, "People", population.People, population.People.Count, explicitIds: true, progress, cancellationToken);
        await WriteAsync(writer, "Family members", population.FamilyMembers, population.FamilyMembers.Count, explicitIds: false, progress, cancellationToken);
        var contacts = progress.Step("E-mails and phones", population.People.Count * 2L);
        await writer.WriteAsync(population.Emails, explicitIds: false, contacts, cancellationToken);
        await writer.WriteAsync(population.Phones, explicitIds: false, contacts, cancellationToken);
        await writer.WriteAsync(population.Pickups, explicitIds: false, null, cancellationToken);
        await writer.WriteAsync(population.Groups, explicitIds: true, null, cancellationToken);
        await WriteAsync(writer, "Group members", population.GroupMembers, population.GroupMembers.Count, explicitIds: false, progress, cancellationToken);
        await WriteAsync(writer, "Badges", population.Badges, population.Badges.Count, explicitIds: false, progress, cancellationToken);
        await WriteAsync(writer, "Custom field values", population.CustomFieldValues, population.CustomFieldValues.Count, explicitIds: false, progress, cancellationToken);
        await WriteAsync(writer, "Notes", population.Notes, population.Notes.Count, explicitIds: false, progress, cancellationToken);
        await WriteAsync(writer, "Services", services, services.Count, explicitIds: true, progress, cancellationToken);
        var weeks = progress.Step($"Attendance ({options.Weeks} weeks)", options.Weeks);
        await writer.WriteAsync(simulator.Attendance(population.Households, options.Weeks, weeks), explicitIds: false, null, cancellationToken);
        await writer.FinishAsync(cancellationToken);

        db.AuditEntries.Add(new AuditEntry
        {
            OrganizationId = organization.Id,
            At = now,
            Actor = Actor.Name,
            Action = AuditAction.Created,
            EntityType = "DemoData",
            EntityId = organization.Id.ToString(CultureInfo.InvariantCulture),
            Changes = JsonSerializer.Serialize(new { options.Members, options.Seed, options.Weeks, options.Append, Rows = writer.Counts }),
        });
        await db.SaveChangesAsync(cancellationToken);
        return new DemoSeedResult(organization.Id, organization.Name, created, writer.Counts, started.Elapsed,
            await SqliteFileSizeAsync(cancellationToken));
    }

    private static Task WriteAsync<T>(DemoDataWriter writer, string description, IEnumerable<T> rows, long count, bool explicitIds,
        CliProgress progress, CancellationToken cancellationToken) where T : class =>
        writer.WriteAsync(rows, explicitIds, progress.Step(description, count), cancellationToken);

    private async Task<(Organization Organization, bool Created)> FindOrCreateOrganizationAsync(
        DemoSeedOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var name = options.OrganizationName.Trim();
        await using var db = contexts.Create(null, Actor);
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Name == name, cancellationToken);
        if (organization is not null)
        {
            return (organization, false);
        }
        organization = new Organization { Name = name, TimeZone = "America/Chicago" };
        db.Organizations.Add(organization);
        await db.SaveChangesAsync(cancellationToken);
        return (organization, true);
    }

    private static TimeZoneInfo TimeZoneOf(Organization organization) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(organization.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>The SQLite file's size once the write-ahead log is folded in; null on PostgreSQL.</summary>
    private async Task<long?> SqliteFileSizeAsync(CancellationToken cancellationToken)
    {
        if (target.SqliteFile is not { } file)
        {
            return null;
        }
        await using (var connection = new SqliteConnection(target.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await checkpoint.ExecuteNonQueryAsync(cancellationToken);
        }
        return new FileInfo(file).Length;
    }
}
