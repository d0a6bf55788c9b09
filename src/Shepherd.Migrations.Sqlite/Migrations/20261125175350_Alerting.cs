using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shepherd.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Alerting : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alert_channels",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    target = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    protected_secret = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    minimum_severity = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    escalation = table.Column<bool>(type: "INTEGER", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    last_success_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_failure_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_channels", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alert_evaluator_leases",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    holder = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_evaluated_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_digest_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_evaluator_leases", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alert_incidents",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    rule_name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    severity = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    summary = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    threshold = table.Column<double>(type: "REAL", nullable: false),
                    value = table.Column<double>(type: "REAL", nullable: false),
                    peak_value = table.Column<double>(type: "REAL", nullable: false),
                    pending_since = table.Column<long>(type: "INTEGER", nullable: false),
                    fired_at = table.Column<long>(type: "INTEGER", nullable: true),
                    resolved_at = table.Column<long>(type: "INTEGER", nullable: true),
                    first_notified_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_notified_at = table.Column<long>(type: "INTEGER", nullable: true),
                    notification_count = table.Column<int>(type: "INTEGER", nullable: false),
                    acknowledged_at = table.Column<long>(type: "INTEGER", nullable: true),
                    acknowledged_by = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    escalated_at = table.Column<long>(type: "INTEGER", nullable: true),
                    suppressed_by = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    digested_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_incidents", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alert_maintenance_windows",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    days = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    start = table.Column<TimeOnly>(type: "TEXT", nullable: false),
                    duration_minutes = table.Column<int>(type: "INTEGER", nullable: false),
                    time_zone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    severities = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_maintenance_windows", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alert_rule_settings",
                columns: table => new
                {
                    rule_name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    threshold = table.Column<double>(type: "REAL", nullable: true),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_rule_settings", x => x.rule_name);
                });

            migrationBuilder.CreateTable(
                name: "alert_silences",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    label = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    value = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    starts_at = table.Column<long>(type: "INTEGER", nullable: false),
                    ends_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_silences", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alert_notifications",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    channel_id = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    body = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    payload = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false),
                    sent_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_notifications", x => x.id);
                    table.ForeignKey(
                        name: "fk_alert_notifications_alert_channels_channel_id",
                        column: x => x.channel_id,
                        principalTable: "alert_channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "alert_notification_incidents",
                columns: table => new
                {
                    alert_notification_id = table.Column<long>(type: "INTEGER", nullable: false),
                    incidents_id = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_notification_incidents", x => new { x.alert_notification_id, x.incidents_id });
                    table.ForeignKey(
                        name: "fk_alert_notification_incidents_alert_incidents_incidents_id",
                        column: x => x.incidents_id,
                        principalTable: "alert_incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_alert_notification_incidents_alert_notifications_alert_notification_id",
                        column: x => x.alert_notification_id,
                        principalTable: "alert_notifications",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "alert_evaluator_leases",
                columns: new[] { "id", "expires_at", "holder", "last_digest_at", "last_evaluated_at" },
                values: new object[] { 1, 1291925127168000000L, null, null, null });

            migrationBuilder.CreateIndex(
                name: "ix_alert_channels_name",
                table: "alert_channels",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_alert_incidents_fired_at",
                table: "alert_incidents",
                column: "fired_at");

            migrationBuilder.CreateIndex(
                name: "ix_alert_incidents_status_rule_name",
                table: "alert_incidents",
                columns: new[] { "status", "rule_name" });

            migrationBuilder.CreateIndex(
                name: "ix_alert_notification_incidents_incidents_id",
                table: "alert_notification_incidents",
                column: "incidents_id");

            migrationBuilder.CreateIndex(
                name: "ix_alert_notifications_channel_id",
                table: "alert_notifications",
                column: "channel_id");

            migrationBuilder.CreateIndex(
                name: "ix_alert_notifications_created_at",
                table: "alert_notifications",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_alert_notifications_status_next_attempt_at",
                table: "alert_notifications",
                columns: new[] { "status", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_alert_silences_ends_at",
                table: "alert_silences",
                column: "ends_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alert_evaluator_leases");

            migrationBuilder.DropTable(
                name: "alert_maintenance_windows");

            migrationBuilder.DropTable(
                name: "alert_notification_incidents");

            migrationBuilder.DropTable(
                name: "alert_rule_settings");

            migrationBuilder.DropTable(
                name: "alert_silences");

            migrationBuilder.DropTable(
                name: "alert_incidents");

            migrationBuilder.DropTable(
                name: "alert_notifications");

            migrationBuilder.DropTable(
                name: "alert_channels");
        }
    }
}
