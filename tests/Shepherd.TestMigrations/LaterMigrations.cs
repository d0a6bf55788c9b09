using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Shepherd.Data;

namespace Shepherd.TestMigrations;

// Migrations a later release of Shepherd might add, written once for both providers. They change tables outside the
// EF model only, so the model snapshot compiled in beside them stays true and EF sees no pending model changes.

/// <summary>A new table: going down drops it, and with it any rows written since.</summary>
[DbContext(typeof(ShepherdDbContext))]
[Migration(Id)]
public sealed class AddPrayerRequests : Migration
{
    public const string Id = "20270101000000_AddPrayerRequests";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "prayer_requests",
            columns: table => new
            {
                id = table.Column<long>(nullable: false),
                organization_id = table.Column<long>(nullable: false),
                person_id = table.Column<long>(nullable: false),
                request = table.Column<string>(maxLength: 2000, nullable: false),
            },
            constraints: table => table.PrimaryKey("pk_prayer_requests", x => x.id));
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "prayer_requests");
}

/// <summary>An index only: going down loses no data.</summary>
[DbContext(typeof(ShepherdDbContext))]
[Migration(Id)]
public sealed class IndexPrayerRequests : Migration
{
    public const string Id = "20270101000100_IndexPrayerRequests";

    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateIndex(name: "ix_prayer_requests_person_id", table: "prayer_requests", column: "person_id");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropIndex(name: "ix_prayer_requests_person_id", table: "prayer_requests");
}

/// <summary>
/// Creates a table and a row, then — when the environment variable <see cref="FailVariable"/> is "1" — runs a statement
/// that fails: a migration that breaks half-way through, after it has already changed the schema and the data.
/// </summary>
[DbContext(typeof(ShepherdDbContext))]
[Migration(Id)]
public sealed class AddVisitorCards : Migration
{
    public const string Id = "20270101000200_AddVisitorCards";
    public const string FailVariable = "SHEPHERD_TEST_FAIL_MIGRATION";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "visitor_cards",
            columns: table => new
            {
                id = table.Column<long>(nullable: false),
                text = table.Column<string>(maxLength: 200, nullable: false),
            },
            constraints: table => table.PrimaryKey("pk_visitor_cards", x => x.id));
        migrationBuilder.Sql("INSERT INTO visitor_cards (id, text) VALUES (1, 'Welcome!')");
        if (Environment.GetEnvironmentVariable(FailVariable) == "1")
        {
            migrationBuilder.Sql("INSERT INTO table_that_does_not_exist (id) VALUES (1)");
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "visitor_cards");
}
