using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Accounts;
using Shepherd.Data.Attendance;
using Shepherd.Data.Badges;
using Shepherd.Data.Families;
using Shepherd.Data.Groups;
using Shepherd.Data.Notes;
using Shepherd.Data.Organizations;
using Shepherd.Data.People;
using Shepherd.Data.Services;
using Shepherd.Operations.Backups;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Privacy;

public sealed class PrivacyApiSqliteTests(SqliteApp app) : PrivacyApiTests<SqliteApp>(app);

public sealed class PrivacyApiPostgresTests(PostgresApp app) : PrivacyApiTests<PostgresApp>(app);

/// <summary>GET /api/v1/people/{id}/export and POST /api/v1/people/{id}/erase, and consent in the person API.</summary>
public abstract class PrivacyApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    /// <summary>A person with something in every place Shepherd keeps personal data, and a service they attended with someone else.</summary>
    private sealed record Subject(long Id, string First, string Last, string Email, string Phone, long ServiceId, long OtherId);

    private async Task<Subject> SubjectAsync(ApiClient api)
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var (first, last, email, phone) = ($"Zorabel{tag}", $"Quenwick{tag}", $"zq.{tag}@example.org", $"+1 (555) {Random.Shared.Next(100, 999)}-{Random.Shared.Next(1000, 9999)}");
        await api.CreateAsync("/api/v1/custom-fields", new { key = "allergies", label = "Allergies", type = "text" });
        var person = await api.CreateAsync("/api/v1/people", new
        {
            firstName = first,
            lastName = last,
            middleName = "Middle" + tag,
            birthDate = "1984-02-29",
            emails = new[] { new { address = email, isPrimary = true } },
            phones = new[] { new { number = phone, isPrimary = true, canText = true } },
            address = new { line1 = $"12 {tag} Lane", city = "Springfield", postalCode = "12345" },
            customFields = new Dictionary<string, object> { ["allergies"] = $"Peanuts {tag}" },
            consent = new { photo = true, email = true, sms = false },
        });
        var id = person["id"]!.GetValue<long>();
        var other = await api.CreateAsync("/api/v1/people", new { firstName = "Other", lastName = "Attender" });
        var otherId = other["id"]!.GetValue<long>();
        await using var db = app.Database(api.OrganizationId);
        var campus = new Campus { Name = "Main " + tag };
        var badgeType = new BadgeType { Name = "Baptized" };
        db.AddRange(campus, badgeType);
        await db.SaveChangesAsync();
        var service = new Service
        {
            CampusId = campus.Id,
            Name = "Sunday",
            Kind = ServiceKind.Worship,
            StartsAt = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero),
            Date = new DateOnly(2026, 3, 1),
        };
        var family = new Family { Name = "Household " + tag[..4] };
        family.Members.Add(new FamilyMember { PersonId = id, Role = FamilyRole.Adult });
        family.Members.Add(new FamilyMember { PersonId = otherId, Role = FamilyRole.Child });
        family.AuthorizedPickups.Add(new AuthorizedPickup { PersonId = id, Name = $"{first} {last}", Phone = phone });
        var group = new Group { Name = "Choir" };
        group.Members.Add(new GroupMember { PersonId = id, Role = GroupRole.Leader, JoinedOn = new DateOnly(2025, 1, 5) });
        db.AddRange(service, family, group);
        db.Badges.Add(new Badge { PersonId = id, BadgeTypeId = badgeType.Id, AwardedOn = new DateOnly(2025, 6, 1), Note = $"Baptized {first}" });
        foreach (var visibility in Enum.GetValues<NoteVisibility>())
        {
            db.Notes.Add(new Note { PersonId = id, AuthorName = "Someone else", Visibility = visibility, Text = $"{visibility} note about {first}", NoteDate = new DateOnly(2026, 1, 2) });
        }
        db.PersonPhotos.Add(new PersonPhoto { PersonId = id, ContentType = "image/png", Data = [1, 2, 3, 4], UpdatedAt = TimeProvider.System.GetUtcNow() });
        await db.SaveChangesAsync();
        db.Attendance.Add(new AttendanceRecord { PersonId = id, ServiceId = service.Id, ServiceDate = service.Date, CheckedInAt = service.StartsAt, Method = CheckInMethod.List });
        db.Attendance.Add(new AttendanceRecord
        {
            PersonId = otherId,
            ServiceId = service.Id,
            ServiceDate = service.Date,
            CheckedInAt = service.StartsAt,
            Method = CheckInMethod.Kiosk,
            CheckedOutAt = service.StartsAt.AddHours(1),
            PickedUpBy = $"{first} {last}",
        });
        await db.SaveChangesAsync();
        return new Subject(id, first, last, email, phone, service.Id, otherId);
    }

    [Fact]
    public async Task The_json_export_holds_everything_about_the_person_and_is_audited_without_the_data()
    {
        using var api = await app.NewOrganizationAsync();
        var s = await SubjectAsync(api);

        using var response = await api.GetAsync($"/api/v1/people/{s.Id}/export");
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        var export = JsonNode.Parse(text)!;
        export["person"]!["firstName"]!.GetValue<string>().ShouldBe(s.First);
        export["person"]!["birthDate"]!.GetValue<string>().ShouldBe("1984-02-29");
        export["person"]!["address"]!["city"]!.GetValue<string>().ShouldBe("Springfield");
        export["person"]!["consent"]!["photo"]!.GetValue<bool>().ShouldBeTrue();
        export["person"]!["consent"]!["photoAt"].ShouldNotBeNull();
        export["emails"]![0]!["address"]!.GetValue<string>().ShouldBe(s.Email);
        export["phones"]![0]!["number"]!.GetValue<string>().ShouldBe(s.Phone);
        export["customFields"]![0]!["label"]!.GetValue<string>().ShouldBe("Allergies");
        export["families"]![0]!["role"]!.GetValue<string>().ShouldBe("adult");
        export["authorizedPickups"]!.AsArray().Count.ShouldBe(1);
        export["groups"]![0]!["groupName"]!.GetValue<string>().ShouldBe("Choir");
        export["groups"]![0]!["role"]!.GetValue<string>().ShouldBe("leader");
        export["badges"]![0]!["badgeType"]!.GetValue<string>().ShouldBe("Baptized");
        export["attendance"]![0]!["serviceName"]!.GetValue<string>().ShouldBe("Sunday");
        string.Join(",", export["notes"]!.AsArray().Select(n => n!["visibility"]!.GetValue<string>()).Order())
            .ShouldBe("authorOnly,pastors,staff", "every note, whatever its visibility");
        export["photo"]!["sizeBytes"]!.GetValue<int>().ShouldBe(4);
        export["photo"]!["contentType"]!.GetValue<string>().ShouldBe("image/png");
        var audit = export["auditLog"]!.AsArray();
        audit.ShouldContain(e => e!["entityType"]!.GetValue<string>() == "Person" && e["action"]!.GetValue<string>() == "created");
        audit.ShouldContain(e => e!["entityType"]!.GetValue<string>() == "PersonEmail", "rows that belonged to the person are about them too");

        await using var db = app.Database(api.OrganizationId);
        var exported = await db.AuditEntries.AsNoTracking().SingleAsync(e => e.Action == Data.Audit.AuditAction.Exported && e.EntityId == s.Id.ToString(CultureInfo.InvariantCulture));
        exported.EntityType.ShouldBe("Person");
        exported.Changes.ShouldBe("""{"format":"json"}""", "who exported whom and how, not the data");
    }

    [Fact]
    public async Task The_html_export_is_one_readable_document_with_every_value_encoded()
    {
        using var api = await app.NewOrganizationAsync();
        var person = await api.CreateAsync("/api/v1/people", new { firstName = "<script>alert(1)</script>", lastName = "O'Brien & \"Sons\"" });
        await api.CreateAsync($"/api/v1/people/{person["id"]}/notes", new { text = "<img src=x onerror=alert(2)>" });

        using var response = await api.GetAsync($"/api/v1/people/{person["id"]}/export?format=html");
        var html = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        html.ShouldStartWith("<!DOCTYPE html>");
        html.ShouldNotContain("<script>");
        html.ShouldNotContain("<img");
        html.ShouldContain("&lt;script&gt;alert(1)&lt;/script&gt;");
        html.ShouldContain("&lt;img src=x onerror=alert(2)&gt;");
        html.ShouldContain("O&#x27;Brien &amp; &quot;Sons&quot;");
        html.ShouldContain("<h2>Notes</h2>");
        html.ShouldContain("<h2>Audit log</h2>");
        html.ShouldNotContain("http://");
        html.ShouldNotContain("https://");
    }

    [Fact]
    public async Task Export_and_erase_answer_404_for_unknown_ids_and_another_organizations_people()
    {
        using var mine = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var theirPerson = await theirs.CreateAsync("/api/v1/people", new { firstName = "Their", lastName = "Person" });
        var id = theirPerson["id"]!.GetValue<long>();

        await (await mine.GetAsync($"/api/v1/people/{id}/export")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.GetAsync($"/api/v1/people/{id}/export?format=html")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PostAsync($"/api/v1/people/{id}/erase", new { confirm = "Their Person" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.GetAsync("/api/v1/people/999999999/export")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PostAsync("/api/v1/people/999999999/erase", new { confirm = "x" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await theirs.GetJsonAsync($"/api/v1/people/{id}"))["firstName"]!.GetValue<string>().ShouldBe("Their");
    }

    [Theory]
    [InlineData("""{}""", "confirm")]
    [InlineData("""{"confirm":null}""", "confirm")]
    [InlineData("""{"confirm":"Ann Other"}""", "confirm")]
    [InlineData("""{"confirm":"Ann"}""", "confirm")]
    [InlineData("""{"confirm":42}""", "confirm")]
    [InlineData("""[1,2]""", "body")]
    public async Task Erasing_without_typing_the_persons_name_is_a_400_and_erases_nothing(string body, string field)
    {
        using var api = await app.NewOrganizationAsync();
        var person = await api.CreateAsync("/api/v1/people", new { firstName = "Ann", lastName = "Example" });

        await (await api.SendRawAsync(HttpMethod.Post, $"/api/v1/people/{person["id"]}/erase", body)).ShouldBeValidationProblemAsync(field);

        (await api.GetJsonAsync($"/api/v1/people/{person["id"]}"))["firstName"]!.GetValue<string>().ShouldBe("Ann");
    }

    [Fact]
    public async Task An_unknown_export_format_is_a_400_naming_the_field()
    {
        using var api = await app.NewOrganizationAsync();
        var person = await api.CreateAsync("/api/v1/people", new { firstName = "Ann", lastName = "Example" });

        await (await api.GetAsync($"/api/v1/people/{person["id"]}/export?format=pdf")).ShouldBeValidationProblemAsync("format");
    }

    [Fact]
    public async Task Erasing_keeps_attendance_counts_removes_the_identity_from_every_table_and_cannot_be_repeated()
    {
        using var api = await app.NewOrganizationAsync();
        var s = await SubjectAsync(api);
        var countsUrl = "/api/v1/attendance/counts?from=2026-03-01&to=2026-03-01";
        using var before = await api.GetAsync(countsUrl);
        var countsBefore = await before.Content.ReadAsStringAsync();
        before.StatusCode.ShouldBe(HttpStatusCode.OK, countsBefore);
        JsonNode.Parse(countsBefore)![0]!["checkedIn"]!.GetValue<int>().ShouldBe(2);
        (await DumpAsync()).ShouldContain(s.First, customMessage: "the search below would find the name if it were left");

        using var erase = await api.PostAsync($"/api/v1/people/{s.Id}/erase", new { confirm = $"  {s.First}   {s.Last} " });
        var erased = JsonNode.Parse(await erase.Content.ReadAsStringAsync())!;

        erase.StatusCode.ShouldBe(HttpStatusCode.OK, erased.ToJsonString());
        erased["name"]!.GetValue<string>().ShouldBe($"Erased person {s.Id}");
        erased["removed"]!["notes"]!.GetValue<int>().ShouldBe(3);
        erased["removed"]!["attendanceKept"]!.GetValue<int>().ShouldBe(1);
        using var after = await api.GetAsync(countsUrl);
        (await after.Content.ReadAsStringAsync()).ShouldBe(countsBefore, "attendance counts are the same after erasing an attendee");
        var person = await api.GetJsonAsync($"/api/v1/people/{s.Id}");
        person["displayName"]!.GetValue<string>().ShouldBe($"Erased person {s.Id}");
        person["emails"]!.AsArray().ShouldBeEmpty();
        person["archivedAt"].ShouldNotBeNull();
        person["erasedAt"].ShouldNotBeNull();
        person["birthDate"].ShouldBeNull();
        person["customFields"]!.AsObject().ShouldBeEmpty();

        var dump = await DumpAsync();
        foreach (var identity in new[] { s.First, s.Last, s.Email, s.Phone, s.Phone[1..], PersonPhone.DigitsOf(s.Phone), s.Email.Replace("@", "\\u0040", StringComparison.Ordinal) })
        {
            dump.ShouldNotContain(identity, Case.Insensitive, $"'{identity}' is still stored after the erasure");
        }
        await using (var db = app.Database(api.OrganizationId))
        {
            (await db.Attendance.CountAsync(a => a.PersonId == s.Id)).ShouldBe(1, "the attendance row stays, linked to the anonymized person");
            (await db.Attendance.SingleAsync(a => a.PersonId == s.OtherId)).PickedUpBy.ShouldBe("Erased person");
            var id = s.Id.ToString(CultureInfo.InvariantCulture);
            var trail = await db.AuditEntries.AsNoTracking().Where(e => e.EntityType == "Person" && e.EntityId == id).OrderBy(e => e.Id).ToListAsync();
            trail[0].Action.ShouldBe(Data.Audit.AuditAction.Created);
            trail[0].Changes.ShouldNotBeNull().ShouldContain("\"FirstName\":\"(erased)\"", customMessage: "the keys stay, the values go");
            trail[^1].Action.ShouldBe(Data.Audit.AuditAction.Erased);
            trail[^1].Actor.ShouldStartWith(api.AdminEmail);
        }

        await (await api.PostAsync($"/api/v1/people/{s.Id}/erase", new { confirm = $"Erased person {s.Id}" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await api.GetJsonAsync($"/api/v1/people/{s.OtherId}"))["firstName"]!.GetValue<string>().ShouldBe("Other", "nobody else is touched");
    }

    [Theory]
    [InlineData(OrganizationRole.Staff)]
    [InlineData(OrganizationRole.Viewer)]
    [InlineData(OrganizationRole.GroupLeader)]
    public async Task Only_administrators_export_or_erase_a_person(OrganizationRole role)
    {
        using var api = await app.NewOrganizationAsync();
        var person = await api.CreateAsync("/api/v1/people", new { firstName = "Ann", lastName = "Example" });
        using var client = await app.NewMemberAsync(api.OrganizationId, role);
        var member = client.Http;

        (await member.GetAsync($"/api/v1/people/{person["id"]}/export")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await member.GetAsync($"/api/v1/people/{person["id"]}/export?format=html")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var erase = await member.PostAsync($"/api/v1/people/{person["id"]}/erase",
            new StringContent("""{"confirm":"Ann Example"}""", Encoding.UTF8, "application/json"));
        erase.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await api.GetJsonAsync($"/api/v1/people/{person["id"]}"))["firstName"]!.GetValue<string>().ShouldBe("Ann");
    }

    [Fact]
    public async Task Consent_is_recorded_with_the_servers_time_when_it_changes_and_kept_when_left_out()
    {
        using var api = await app.NewOrganizationAsync();
        var start = TimeProvider.System.GetUtcNow().AddSeconds(-1);

        var created = await api.CreateAsync("/api/v1/people", new
        {
            firstName = "Cora",
            lastName = "Consent",
            consent = new { photo = true, photoAt = "2000-01-01T00:00:00Z", email = false },
        });

        var consent = created["consent"]!;
        consent["photo"]!.GetValue<bool>().ShouldBeTrue();
        consent["photoAt"]!.GetValue<DateTimeOffset>().ShouldBeGreaterThanOrEqualTo(start, "the server's time, not the client's");
        consent["email"]!.GetValue<bool>().ShouldBeFalse();
        consent["emailAt"].ShouldNotBeNull();
        consent["sms"].ShouldBeNull("never asked");
        consent["smsAt"].ShouldBeNull();
        var url = $"/api/v1/people/{created["id"]}";
        var photoAt = (await api.GetJsonAsync(url))["consent"]!["photoAt"]!.GetValue<DateTimeOffset>();

        using (var left = await api.PutAsync(url, new { firstName = "Cora", lastName = "Consent" }))
        {
            left.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        var kept = (await api.GetJsonAsync(url))["consent"]!;
        kept["photo"]!.GetValue<bool>().ShouldBeTrue("a PUT without consent keeps what is recorded");
        kept["photoAt"]!.GetValue<DateTimeOffset>().ShouldBe(photoAt);

        using (var same = await api.PutAsync(url, new { firstName = "Cora", lastName = "Consent", consent = new { photo = true, sms = true } }))
        {
            same.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        var changed = (await api.GetJsonAsync(url))["consent"]!;
        changed["photoAt"]!.GetValue<DateTimeOffset>().ShouldBe(photoAt, "an unchanged value keeps its time");
        changed["sms"]!.GetValue<bool>().ShouldBeTrue();
        changed["smsAt"]!.GetValue<DateTimeOffset>().ShouldBeGreaterThanOrEqualTo(photoAt);

        using (var withdrawn = await api.PutAsync(url, new { firstName = "Cora", lastName = "Consent", consent = new { photo = false } }))
        {
            withdrawn.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        var after = (await api.GetJsonAsync(url))["consent"]!;
        after["photo"]!.GetValue<bool>().ShouldBeFalse();
        after["photoAt"]!.GetValue<DateTimeOffset>().ShouldBeGreaterThan(photoAt);
        await using var db = app.Database(api.OrganizationId);
        var id = created["id"]!.ToString();
        (await db.AuditEntries.CountAsync(e => e.EntityType == "Person" && e.EntityId == id && e.Changes!.Contains("Consent")))
            .ShouldBeGreaterThanOrEqualTo(3, "each consent change is in the audit log");
    }

    /// <summary>Every row of every table of the whole test database as text (all organizations).</summary>
    private async Task<string> DumpAsync()
    {
        var dump = new StringBuilder();
        await using var db = app.Database(0);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        foreach (var table in await TableRowCounter.TablesAsync(connection, null, CancellationToken.None))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using DbDataReader reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    dump.Append(value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(value, CultureInfo.InvariantCulture)).Append('|');
                }
                dump.AppendLine();
            }
        }
        return dump.ToString();
    }
}
