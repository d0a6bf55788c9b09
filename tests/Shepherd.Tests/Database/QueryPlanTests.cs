using Microsoft.EntityFrameworkCore;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Database;

/// <summary>
/// The hot queries are answered from indexes, not table scans: SQLite's planner decides from the schema alone,
/// so its plans show what the indexes cover. (PostgreSQL's plans depend on table sizes; the large-data
/// benchmarks look at those.)
/// </summary>
public sealed class QueryPlanTests(SqliteApp app)
{
    [Fact]
    public async Task The_people_list_is_read_in_index_order()
    {
        await using var db = app.Database(1);
        var query = db.People.Where(p => p.ArchivedAt == null).OrderBy(p => p.LastName).ThenBy(p => p.FirstName).ThenBy(p => p.Id).Take(50);

        var plan = await PlanAsync(db, query.ToQueryString());

        plan.ShouldContain("USING INDEX ix_people_organization_id_last_name_first_name_id");
        plan.ShouldNotContain("USE TEMP B-TREE FOR ORDER BY");
    }

    [Theory]
    [InlineData("email")]
    [InlineData("phone")]
    public async Task A_person_is_found_by_email_or_phone_through_an_index(string by)
    {
        await using var db = app.Database(1);
        var query = by == "email"
            ? db.People.Where(p => p.Email == "ruth@example.org" && p.Active).ToQueryString()
            : db.People.Where(p => p.Phone == "5550100").ToQueryString();

        var plan = await PlanAsync(db, query);

        plan.ShouldContain(by == "email" ? "ix_people_organization_id_email_active" : "ix_people_organization_id_phone");
    }

    [Fact]
    public async Task A_persons_attendance_history_is_read_in_date_order_from_an_index()
    {
        await using var db = app.Database(1);
        var query = db.Attendance.Where(a => a.PersonId == 42).OrderByDescending(a => a.ServiceDate).Take(20);

        var plan = await PlanAsync(db, query.ToQueryString());

        plan.ShouldContain("ix_attendance_person_id_service_date_service_id");
        plan.ShouldNotContain("TEMP B-TREE");
    }

    [Fact]
    public async Task A_services_attendance_and_its_count_read_only_the_unique_index()
    {
        await using var db = app.Database(1);

        var plan = await PlanAsync(db, db.Attendance.Where(a => a.ServiceId == 7).Select(a => a.PersonId).ToQueryString());
        var count = await PlanAsync(db, db.Services.Select(s => db.Attendance.Count(a => a.ServiceId == s.Id)).ToQueryString());

        plan.ShouldContain("USING COVERING INDEX ix_attendance_service_id_person_id_organization_id (service_id=?)");
        count.ShouldContain("USING COVERING INDEX ix_attendance_service_id_person_id_organization_id (service_id=?)");
    }

    [Fact]
    public async Task Counting_a_persons_attendance_does_not_scan_the_organization()
    {
        await using var db = app.Database(1);

        var plan = await PlanAsync(db, db.Attendance.Where(a => a.PersonId == 42).Select(a => a.Id).ToQueryString());

        plan.ShouldContain("ix_attendance_person_id_service_date_service_id (person_id=?)");
    }

    [Fact]
    public void No_table_has_an_index_on_the_organization_alone()
    {
        // Such an index looks as good as a selective one to SQLite's planner without statistics (see ShepherdDbContext).
        using var db = app.Database(1);

        var organizationOnly = db.Model.GetEntityTypes().SelectMany(t => t.GetIndexes())
            .Where(i => i.Properties is [{ Name: "OrganizationId" }])
            .Select(i => i.GetDatabaseName());

        organizationOnly.ShouldBeEmpty();
    }

    [Fact]
    public async Task Families_by_name_notes_and_badges_by_person_use_their_indexes()
    {
        await using var db = app.Database(1);

        (await PlanAsync(db, db.Families.Where(f => f.Active).OrderBy(f => f.Name).Take(50).ToQueryString()))
            .ShouldContain("ix_families_organization_id_name_active");
        (await PlanAsync(db, db.Notes.Where(n => n.PersonId == 3).OrderByDescending(n => n.NoteDate).ToQueryString()))
            .ShouldContain("ix_notes_person_id_note_date");
        (await PlanAsync(db, db.Badges.Where(b => b.PersonId == 3 && b.BadgeTypeId == 2).ToQueryString()))
            .ShouldContain("ix_badges_person_id_badge_type_id");
    }

    /// <summary>EXPLAIN QUERY PLAN of the SQL EF generates (its parameters are declared as literals by ToQueryString).</summary>
    private static async Task<string> PlanAsync(Shepherd.Data.ShepherdDbContext db, string sql)
    {
        await db.Database.OpenConnectionAsync();
        var statement = string.Join('\n', sql.Split('\n').Where(l => !l.StartsWith(".param", StringComparison.Ordinal)));
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + statement;
        foreach (var line in sql.Split('\n').Where(l => l.StartsWith(".param set", StringComparison.Ordinal)))
        {
            var parts = line.Split(' ', 4);
            var parameter = command.CreateParameter();
            parameter.ParameterName = parts[2];
            parameter.Value = parts[3].Trim('\'');
            command.Parameters.Add(parameter);
        }
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(3));
        }
        return string.Join('\n', rows);
    }
}
