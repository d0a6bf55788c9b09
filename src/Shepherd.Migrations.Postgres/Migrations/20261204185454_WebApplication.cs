using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Shepherd.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class WebApplication : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "group_id",
                table: "services",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "schedule_id",
                table: "services",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "medical_note",
                table: "people",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "merged_into_id",
                table: "people",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "client_id",
                table: "attendance",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "service_schedules",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    organization_id = table.Column<long>(type: "bigint", nullable: false),
                    campus_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    day = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    start_time = table.Column<TimeOnly>(type: "time without time zone", nullable: false),
                    duration_minutes = table.Column<int>(type: "integer", nullable: false),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_service_schedules", x => x.id);
                    table.ForeignKey(
                        name: "fk_service_schedules_campuses_campus_id",
                        column: x => x.campus_id,
                        principalTable: "campuses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_services_group_id_starts_at",
                table: "services",
                columns: new[] { "group_id", "starts_at" });

            migrationBuilder.CreateIndex(
                name: "ix_services_schedule_id_starts_at",
                table: "services",
                columns: new[] { "schedule_id", "starts_at" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_attendance_client_id_organization_id",
                table: "attendance",
                columns: new[] { "client_id", "organization_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_service_schedules_campus_id",
                table: "service_schedules",
                column: "campus_id");

            migrationBuilder.CreateIndex(
                name: "ix_service_schedules_organization_id_campus_id",
                table: "service_schedules",
                columns: new[] { "organization_id", "campus_id" });

            migrationBuilder.AddForeignKey(
                name: "fk_services_groups_group_id",
                table: "services",
                column: "group_id",
                principalTable: "groups",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "fk_services_service_schedules_schedule_id",
                table: "services",
                column: "schedule_id",
                principalTable: "service_schedules",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_services_groups_group_id",
                table: "services");

            migrationBuilder.DropForeignKey(
                name: "fk_services_service_schedules_schedule_id",
                table: "services");

            migrationBuilder.DropTable(
                name: "service_schedules");

            migrationBuilder.DropIndex(
                name: "ix_services_group_id_starts_at",
                table: "services");

            migrationBuilder.DropIndex(
                name: "ix_services_schedule_id_starts_at",
                table: "services");

            migrationBuilder.DropIndex(
                name: "ix_attendance_client_id_organization_id",
                table: "attendance");

            migrationBuilder.DropColumn(
                name: "group_id",
                table: "services");

            migrationBuilder.DropColumn(
                name: "schedule_id",
                table: "services");

            migrationBuilder.DropColumn(
                name: "medical_note",
                table: "people");

            migrationBuilder.DropColumn(
                name: "merged_into_id",
                table: "people");

            migrationBuilder.DropColumn(
                name: "client_id",
                table: "attendance");
        }
    }
}
