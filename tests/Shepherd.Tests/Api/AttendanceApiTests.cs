using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Attendance;
using Shepherd.Data.Families;
using Shepherd.Data.People;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Api;

public sealed class AttendanceApiSqliteTests(SqliteApp app) : AttendanceApiTests<SqliteApp>(app);

public sealed class AttendanceApiPostgresTests(PostgresApp app) : AttendanceApiTests<PostgresApp>(app);

/// <summary>Check-in, check-out, attendance lists and counts on each provider.</summary>
public abstract class AttendanceApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    [Fact]
    public async Task A_check_in_records_the_time_the_user_and_the_service_date()
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api, "2026-11-22T10:00:00Z");
        var ann = await PersonAsync(api, "Ann", "Lee");
        var clock = app.Services.GetRequiredService<TimeProvider>();
        var before = clock.GetUtcNow();

        var created = await api.CreateAsync($"/api/v1/services/{service}/attendance", new { personId = ann, method = "kiosk" });

        created["personId"]!.GetValue<long>().ShouldBe(ann);
        created["serviceDate"]!.GetValue<string>().ShouldBe("2026-11-22");
        created["securityCode"].ShouldBeNull();
        await using var db = app.Database(api.OrganizationId);
        var record = await db.Attendance.SingleAsync();
        record.ServiceId.ShouldBe(service);
        record.ServiceDate.ShouldBe(new DateOnly(2026, 11, 22));
        record.Method.ShouldBe(CheckInMethod.Kiosk);
        record.CheckedInAt.ShouldBeInRange(before, clock.GetUtcNow());
        var adminId = await db.Users.Where(u => u.Email == api.AdminEmail).Select(u => u.Id).SingleAsync();
        record.CheckedInByUserId.ShouldBe(adminId);
    }

    [Fact]
    public async Task The_method_defaults_to_api_and_a_given_security_code_is_kept_in_upper_case()
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var ann = await PersonAsync(api, "Ann", "Lee");

        var created = await api.CreateAsync($"/api/v1/services/{service}/attendance", new { personId = ann, securityCode = "ab12" });

        created["method"]!.GetValue<string>().ShouldBe("api");
        created["securityCode"]!.GetValue<string>().ShouldBe("AB12");
    }

    [Fact]
    public async Task A_child_in_a_family_gets_a_generated_security_code()
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var kid = await PersonAsync(api, "Kit", "Lee");
        var mum = await PersonAsync(api, "Ann", "Lee");
        await FamilyAsync(api, (mum, FamilyRole.Adult), (kid, FamilyRole.Child));

        var child = await api.CreateAsync($"/api/v1/services/{service}/attendance", new { personId = kid });
        var adult = await api.CreateAsync($"/api/v1/services/{service}/attendance", new { personId = mum });

        var code = child["securityCode"]!.GetValue<string>();
        code.Length.ShouldBe(4);
        code.ShouldAllBe(c => "ACDEFGHJKLMNPQRTUVWXY3479".Contains(c));
        adult["securityCode"].ShouldBeNull();
        await using var db = app.Database(api.OrganizationId);
        (await db.Attendance.SingleAsync(a => a.PersonId == kid)).SecurityCode.ShouldBe(code);
    }

    [Fact]
    public async Task Checking_in_twice_is_a_conflict_and_keeps_one_record()
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var ann = await PersonAsync(api, "Ann", "Lee");
        await api.CreateAsync($"/api/v1/services/{service}/attendance", new { personId = ann });

        await (await api.PostAsync($"/api/v1/services/{service}/attendance", new { personId = ann })).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        await using var db = app.Database(api.OrganizationId);
        (await db.Attendance.CountAsync()).ShouldBe(1);
    }

    [Theory]
    [InlineData("""{}""", "personId")]
    [InlineData("""{"personId":987654321}""", "personId")]
    [InlineData("""{"personId":"ann"}""", "personId")]
    [InlineData("""{"personId":0,"securityCode":"AB"}""", "securityCode")]
    [InlineData("""{"personId":0,"securityCode":"ABCDEFGHJ"}""", "securityCode")]
    [InlineData("""{"personId":0,"securityCode":"AB-1"}""", "securityCode")]
    [InlineData("""{"personId":0,"method":"phone"}""", "method")]
    [InlineData("""{"personId":0""", "personId")]
    [InlineData("""nope""", "body")]
    public async Task Bad_check_in_input_is_a_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var ann = await PersonAsync(api, "Ann", "Lee");

        using var response = await api.SendRawAsync(HttpMethod.Post, $"/api/v1/services/{service}/attendance",
            body.Replace("\"personId\":0", $"\"personId\":{ann}", StringComparison.Ordinal));

        await response.ShouldBeValidationProblemAsync(field);
        await using var db = app.Database(api.OrganizationId);
        (await db.Attendance.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Checking_in_to_an_unknown_service_is_not_found()
    {
        using var api = await app.NewOrganizationAsync();
        var ann = await PersonAsync(api, "Ann", "Lee");

        await (await api.PostAsync("/api/v1/services/987654321/attendance", new { personId = ann })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bulk_check_in_records_everyone_not_already_present()
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var people = new List<long>();
        foreach (var name in new[] { "Ann", "Bob", "Cy", "Di" })
        {
            people.Add(await PersonAsync(api, name, "Lee"));
        }
        await api.CreateAsync($"/api/v1/services/{service}/attendance", new { personId = people[0] });

        var result = await ResponseJsonAsync(await api.PostAsync($"/api/v1/services/{service}/attendance/bulk", new { personIds = people, method = "list" }));

        result["recorded"]!.GetValue<int>().ShouldBe(3);
        result["alreadyPresent"]!.GetValue<int>().ShouldBe(1);
        await using var db = app.Database(api.OrganizationId);
        (await db.Attendance.Select(a => a.PersonId).OrderBy(id => id).ToListAsync()).ShouldBe(people);
        (await db.Attendance.CountAsync(a => a.Method == CheckInMethod.List)).ShouldBe(3);
    }

    [Fact]
    public async Task Bulk_check_in_takes_a_thousand_people_at_once()
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        await using (var db = app.Database(api.OrganizationId))
        {
            db.People.AddRange(Enumerable.Range(1, 1000).Select(i => new Person { FirstName = $"P{i}", LastName = "Bulk" }));
            await db.SaveChangesAsync();
        }
        await using var read = app.Database(api.OrganizationId);
        var ids = await read.People.Select(p => p.Id).ToListAsync();

        var result = await ResponseJsonAsync(await api.PostAsync($"/api/v1/services/{service}/attendance/bulk", new { personIds = ids }));

        result["recorded"]!.GetValue<int>().ShouldBe(1000);
        (await read.Attendance.CountAsync()).ShouldBe(1000);
    }

    [Fact]
    public async Task Bulk_check_in_with_one_unknown_person_writes_nothing_and_names_the_bad_id()
    {
        using var api = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var ann = await PersonAsync(api, "Ann", "Lee");
        var bob = await PersonAsync(api, "Bob", "Lee");
        var theirPerson = await PersonAsync(theirs, "Tess", "Other");

        var problem = await (await api.PostAsync($"/api/v1/services/{service}/attendance/bulk", new { personIds = new[] { ann, theirPerson, bob } }))
            .ShouldBeValidationProblemAsync("personIds");

        problem["errors"]!["personIds"]![0]!.GetValue<string>().ShouldContain(theirPerson.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using var db = app.Database(api.OrganizationId);
        (await db.Attendance.CountAsync()).ShouldBe(0);
    }

    [Theory]
    [InlineData("""{"personIds":[]}""")]
    [InlineData("""{}""")]
    [InlineData("""{"personIds":[1,1]}""")]
    [InlineData("""{"personIds":"all"}""")]
    [InlineData("""{"personIds":TOO_MANY}""")]
    public async Task Bad_bulk_input_is_a_400_and_writes_nothing(string body)
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var ann = await PersonAsync(api, "Ann", "Lee");
        body = body.Replace("[1,1]", $"[{ann},{ann}]", StringComparison.Ordinal)
            .Replace("TOO_MANY", "[" + string.Join(',', Enumerable.Range(1, 1001)) + "]", StringComparison.Ordinal);

        await (await api.SendRawAsync(HttpMethod.Post, $"/api/v1/services/{service}/attendance/bulk", body)).ShouldBeValidationProblemAsync("personIds");

        await using var db = app.Database(api.OrganizationId);
        (await db.Attendance.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Check_out_needs_the_matching_security_code_and_a_wrong_one_changes_nothing()
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var kid = await PersonAsync(api, "Kit", "Lee");
        await api.CreateAsync($"/api/v1/services/{service}/attendance", new { personId = kid, securityCode = "K7Q4" });
        var url = $"/api/v1/services/{service}/attendance/{kid}/checkout";

        await (await api.PostAsync(url, new { securityCode = "XXXX" })).ShouldBeValidationProblemAsync("securityCode");
        await (await api.PostAsync(url, new { })).ShouldBeValidationProblemAsync("securityCode");
        await using (var db = app.Database(api.OrganizationId))
        {
            var unchanged = await db.Attendance.SingleAsync();
            unchanged.CheckedOutAt.ShouldBeNull();
            unchanged.CheckedOutByUserId.ShouldBeNull();
        }

        var done = await ResponseJsonAsync(await api.PostAsync(url, new { securityCode = "k7q4", pickedUpBy = " Ann Lee " }));
        done["checkedOutAt"].ShouldNotBeNull();
        await using (var db = app.Database(api.OrganizationId))
        {
            var record = await db.Attendance.SingleAsync();
            record.CheckedOutAt.ShouldNotBeNull();
            record.PickedUpBy.ShouldBe("Ann Lee");
            record.CheckedOutByUserId.ShouldBe(await db.Users.Where(u => u.Email == api.AdminEmail).Select(u => u.Id).SingleAsync());
        }
        await (await api.PostAsync(url, new { securityCode = "K7Q4" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Check_out_without_a_code_works_for_a_record_without_one_and_needs_a_check_in()
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var ann = await PersonAsync(api, "Ann", "Lee");
        var bob = await PersonAsync(api, "Bob", "Lee");
        await api.CreateAsync($"/api/v1/services/{service}/attendance", new { personId = ann });

        using var empty = await api.SendRawAsync(HttpMethod.Post, $"/api/v1/services/{service}/attendance/{ann}/checkout", "");
        empty.StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await api.PostAsync($"/api/v1/services/{service}/attendance/{bob}/checkout", new { })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await api.PostAsync($"/api/v1/services/987654321/attendance/{ann}/checkout", new { })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_repeated_client_id_answers_200_with_the_first_check_in_and_records_nothing_more()
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var kid = await PersonAsync(api, "Kit", "Lee");
        var mum = await PersonAsync(api, "Ann", "Lee");
        await FamilyAsync(api, (mum, FamilyRole.Adult), (kid, FamilyRole.Child));
        var clientId = Guid.NewGuid();
        var url = $"/api/v1/services/{service}/attendance";

        var first = await api.CreateAsync(url, new { personId = kid, clientId, method = "kiosk" });
        using var again = await api.PostAsync(url, new { personId = kid, clientId, method = "kiosk" });

        var text = await again.Content.ReadAsStringAsync();
        again.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var repeat = JsonNode.Parse(text)!;
        repeat["securityCode"]!.GetValue<string>().ShouldBe(first["securityCode"]!.GetValue<string>(), "the label printed after the first answer stays right");
        repeat["clientId"]!.GetValue<Guid>().ShouldBe(clientId);
        // The time as stored (the first answer carried the clock's full precision).
        repeat["checkedInAt"]!.GetValue<DateTimeOffset>().ShouldBe(first["checkedInAt"]!.GetValue<DateTimeOffset>(), TimeSpan.FromMilliseconds(1));
        await using var db = app.Database(api.OrganizationId);
        var record = await db.Attendance.SingleAsync();
        record.ClientId.ShouldBe(clientId);
        (await db.AuditEntries.CountAsync(e => e.EntityType == nameof(AttendanceRecord))).ShouldBe(1, "the repeat changed nothing");
    }

    [Fact]
    public async Task A_client_id_already_used_for_another_check_in_is_a_conflict_and_records_nothing()
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var other = await ServiceAsync(api, name: "Second");
        var ann = await PersonAsync(api, "Ann", "Lee");
        var bob = await PersonAsync(api, "Bob", "Lee");
        var clientId = Guid.NewGuid();
        await api.CreateAsync($"/api/v1/services/{service}/attendance", new { personId = ann, clientId });

        (await (await api.PostAsync($"/api/v1/services/{service}/attendance", new { personId = bob, clientId })).ShouldBeProblemAsync(HttpStatusCode.Conflict))
            ["detail"]!.GetValue<string>().ShouldContain("clientId");
        await (await api.PostAsync($"/api/v1/services/{other}/attendance", new { personId = ann, clientId })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await api.PostAsync($"/api/v1/services/{service}/attendance", new { personId = bob, clientId = Guid.Empty })).ShouldBeValidationProblemAsync("clientId");
        await (await api.SendRawAsync(HttpMethod.Post, $"/api/v1/services/{service}/attendance", $$"""{"personId":{{bob}},"clientId":"not-a-uuid"}"""))
            .ShouldBeValidationProblemAsync("clientId");

        await using var db = app.Database(api.OrganizationId);
        (await db.Attendance.CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task The_same_client_id_sent_at_the_same_moment_makes_one_check_in()
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var kid = await PersonAsync(api, "Kit", "Lee");
        var body = new { personId = kid, clientId = Guid.NewGuid(), securityCode = "K7Q4" };

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => api.PostAsync($"/api/v1/services/{service}/attendance", body)));

        var texts = new List<string>();
        foreach (var answer in answers)
        {
            texts.Add(await answer.Content.ReadAsStringAsync());
        }
        answers.Select(a => (int)a.StatusCode).Order().ToArray().ShouldBe([200, 200, 200, 201], ignoreOrder: false, customMessage: string.Join("\n", texts));
        texts.ShouldAllBe(t => JsonNode.Parse(t)!["securityCode"]!.GetValue<string>() == "K7Q4");
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
        await using var db = app.Database(api.OrganizationId);
        (await db.Attendance.CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task An_authorized_pickup_of_the_childs_family_checks_out_without_the_code_and_is_recorded_by_name()
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var kid = await PersonAsync(api, "Kit", "Lee");
        var mum = await PersonAsync(api, "Ann", "Lee");
        var (_, grandma) = await FamilyWithPickupAsync(api, "Grandma Rose", (mum, FamilyRole.Adult), (kid, FamilyRole.Child));
        await api.CreateAsync($"/api/v1/services/{service}/attendance", new { personId = kid, securityCode = "K7Q4" });

        var done = await ResponseJsonAsync(await api.PostAsync($"/api/v1/services/{service}/attendance/{kid}/checkout",
            new { authorizedPickupId = grandma, pickedUpBy = "someone else" }));

        done["pickedUpBy"]!.GetValue<string>().ShouldBe("Grandma Rose");
        await using var db = app.Database(api.OrganizationId);
        var record = await db.Attendance.SingleAsync();
        record.CheckedOutAt.ShouldNotBeNull();
        record.PickedUpBy.ShouldBe("Grandma Rose");
    }

    [Fact]
    public async Task Another_familys_pickup_or_the_pickup_of_a_family_the_child_is_an_adult_in_cannot_check_a_child_out()
    {
        using var api = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var kid = await PersonAsync(api, "Kit", "Lee");
        var neighbour = await PersonAsync(api, "Ned", "Nye");
        await FamilyWithPickupAsync(api, "Grandma Rose", (kid, FamilyRole.Child));
        var (_, strangersPickup) = await FamilyWithPickupAsync(api, "Uncle Stranger", (neighbour, FamilyRole.Child));
        // Kit is an adult (e.g. a teenage sibling listed as one) of a third family: its pickups do not cover Kit.
        var (_, adultFamilysPickup) = await FamilyWithPickupAsync(api, "Aunt Elsewhere", (kid, FamilyRole.Adult));
        var theirKid = await PersonAsync(theirs, "Tess", "Other");
        var (_, theirPickup) = await FamilyWithPickupAsync(theirs, "Their Grandpa", (theirKid, FamilyRole.Child));
        await api.CreateAsync($"/api/v1/services/{service}/attendance", new { personId = kid, securityCode = "K7Q4" });
        var url = $"/api/v1/services/{service}/attendance/{kid}/checkout";

        foreach (var pickup in new[] { strangersPickup, adultFamilysPickup, theirPickup, 987654321L })
        {
            await (await api.PostAsync(url, new { authorizedPickupId = pickup })).ShouldBeValidationProblemAsync("authorizedPickupId");
            // The right code does not rescue a false claim about who is collecting.
            await (await api.PostAsync(url, new { authorizedPickupId = pickup, securityCode = "K7Q4" })).ShouldBeValidationProblemAsync("authorizedPickupId");
        }
        await (await api.PostAsync(url, new { authorizedPickupId = 0 })).ShouldBeValidationProblemAsync("authorizedPickupId");

        await using var db = app.Database(api.OrganizationId);
        var record = await db.Attendance.SingleAsync();
        record.CheckedOutAt.ShouldBeNull();
        record.PickedUpBy.ShouldBeNull();
    }

    [Fact]
    public async Task A_mistaken_record_can_be_deleted()
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var ann = await PersonAsync(api, "Ann", "Lee");
        await api.CreateAsync($"/api/v1/services/{service}/attendance", new { personId = ann });

        (await api.DeleteAsync($"/api/v1/services/{service}/attendance/{ann}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await (await api.DeleteAsync($"/api/v1/services/{service}/attendance/{ann}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await using var db = app.Database(api.OrganizationId);
        (await db.Attendance.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task A_services_attendance_is_listed_by_name_and_paged()
    {
        using var api = await app.NewOrganizationAsync();
        var service = await ServiceAsync(api);
        var ids = new List<long>();
        foreach (var (first, last) in new[] { ("Cy", "Ng"), ("Ann", "Lee"), ("Bob", "Kim") })
        {
            ids.Add(await PersonAsync(api, first, last));
        }
        await PostOkAsync(api, $"/api/v1/services/{service}/attendance/bulk", new { personIds = ids });

        var page = await api.GetJsonAsync($"/api/v1/services/{service}/attendance?pageSize=2");

        page["totalCount"]!.GetValue<int>().ShouldBe(3);
        page["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ShouldBe(["Bob Kim", "Ann Lee"]);
        page["items"]![0]!["checkedInAt"].ShouldNotBeNull();
        page["items"]![0]!["checkedOutAt"].ShouldBeNull();
        (await api.GetJsonAsync($"/api/v1/services/{service}/attendance?pageSize=2&page=2"))["items"]![0]!["name"]!.GetValue<string>().ShouldBe("Cy Ng");
        await (await api.GetAsync($"/api/v1/services/{service}/attendance?pageSize=10000")).ShouldBeValidationProblemAsync("pageSize");
    }

    [Fact]
    public async Task A_persons_attendance_is_listed_newest_first_with_the_service()
    {
        using var api = await app.NewOrganizationAsync();
        var campus = (await api.CreateAsync("/api/v1/campuses", new { name = "North" }))["id"]!.GetValue<long>();
        var older = await ServiceAsync(api, "2026-11-15T10:00:00Z", campus, "Nov 15", "worship");
        var newer = await ServiceAsync(api, "2026-11-22T10:00:00Z", campus, "Nov 22", "kids");
        var ann = await PersonAsync(api, "Ann", "Lee");
        await api.CreateAsync($"/api/v1/services/{older}/attendance", new { personId = ann });
        await api.CreateAsync($"/api/v1/services/{newer}/attendance", new { personId = ann });

        var page = await api.GetJsonAsync($"/api/v1/people/{ann}/attendance");

        page["totalCount"]!.GetValue<int>().ShouldBe(2);
        var first = page["items"]![0]!;
        first["serviceId"]!.GetValue<long>().ShouldBe(newer);
        first["serviceName"]!.GetValue<string>().ShouldBe("Nov 22");
        first["date"]!.GetValue<string>().ShouldBe("2026-11-22");
        first["kind"]!.GetValue<string>().ShouldBe("kids");
        first["campusId"]!.GetValue<long>().ShouldBe(campus);
        page["items"]![1]!["serviceName"]!.GetValue<string>().ShouldBe("Nov 15");
        (await api.GetJsonAsync($"/api/v1/people/{ann}/attendance?pageSize=1&page=2"))["items"]![0]!["serviceId"]!.GetValue<long>().ShouldBe(older);
        await (await api.GetAsync("/api/v1/people/987654321/attendance")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Counts_per_service_match_the_records_and_add_the_headcount()
    {
        using var api = await app.NewOrganizationAsync();
        var north = (await api.CreateAsync("/api/v1/campuses", new { name = "North" }))["id"]!.GetValue<long>();
        var south = (await api.CreateAsync("/api/v1/campuses", new { name = "South" }))["id"]!.GetValue<long>();
        var first = await ServiceAsync(api, "2026-11-15T10:00:00Z", north, "First", "worship");
        var second = await ServiceAsync(api, "2026-11-22T10:00:00Z", north, "Second", "kids");
        var third = await ServiceAsync(api, "2026-11-29T10:00:00Z", south, "Third", "worship");
        var people = new List<long>();
        foreach (var name in new[] { "Ann", "Bob", "Cy" })
        {
            people.Add(await PersonAsync(api, name, "Lee"));
        }
        await PostOkAsync(api, $"/api/v1/services/{first}/attendance/bulk", new { personIds = people });
        await PostOkAsync(api, $"/api/v1/services/{second}/attendance/bulk", new { personIds = people.Take(1) });
        (await api.PutAsync($"/api/v1/services/{first}/headcount", new { headcount = 10 })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var all = await ArrayAsync(api, "/api/v1/attendance/counts");

        all.Select(c => c!["serviceId"]!.GetValue<long>()).ShouldBe([first, second, third]);
        all[0]!["checkedIn"]!.GetValue<int>().ShouldBe(3);
        all[0]!["headcount"]!.GetValue<int>().ShouldBe(10);
        all[0]!["total"]!.GetValue<int>().ShouldBe(13);
        all[0]!["date"]!.GetValue<string>().ShouldBe("2026-11-15");
        all[0]!["name"]!.GetValue<string>().ShouldBe("First");
        all[1]!["checkedIn"]!.GetValue<int>().ShouldBe(1);
        all[1]!["kind"]!.GetValue<string>().ShouldBe("kids");
        all[2]!["checkedIn"]!.GetValue<int>().ShouldBe(0);
        all[2]!["total"]!.GetValue<int>().ShouldBe(0);
        all[2]!["campusId"]!.GetValue<long>().ShouldBe(south);
        await using (var db = app.Database(api.OrganizationId))
        {
            all.Sum(c => c!["checkedIn"]!.GetValue<int>()).ShouldBe(await db.Attendance.CountAsync());
        }

        (await ArrayAsync(api, "/api/v1/attendance/counts?from=2026-11-20&to=2026-11-30")).Select(c => c!["serviceId"]!.GetValue<long>()).ShouldBe([second, third]);
        (await ArrayAsync(api, $"/api/v1/attendance/counts?campusId={north}")).Select(c => c!["serviceId"]!.GetValue<long>()).ShouldBe([first, second]);
        (await ArrayAsync(api, "/api/v1/attendance/counts?kind=worship&to=2026-11-20")).Select(c => c!["serviceId"]!.GetValue<long>()).ShouldBe([first]);
    }

    [Theory]
    [InlineData("from=2026-12-01&to=2026-11-01", "from")]
    [InlineData("kind=party", "kind")]
    public async Task Bad_count_parameters_are_a_400(string query, string field)
    {
        using var api = await app.NewOrganizationAsync();

        await (await api.GetAsync($"/api/v1/attendance/counts?{query}")).ShouldBeValidationProblemAsync(field);
    }

    [Fact]
    public async Task Another_organizations_services_and_people_are_out_of_reach()
    {
        using var mine = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var theirService = await ServiceAsync(theirs);
        var theirPerson = await PersonAsync(theirs, "Tess", "Other");
        await theirs.CreateAsync($"/api/v1/services/{theirService}/attendance", new { personId = theirPerson, securityCode = "ABCD" });
        var myService = await ServiceAsync(mine);
        var me = await PersonAsync(mine, "Ann", "Lee");
        var url = $"/api/v1/services/{theirService}/attendance";

        await (await mine.GetAsync(url)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PostAsync(url, new { personId = me })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PostAsync($"{url}/bulk", new { personIds = new[] { me } })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PostAsync($"{url}/{theirPerson}/checkout", new { securityCode = "ABCD" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.DeleteAsync($"{url}/{theirPerson}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.GetAsync($"/api/v1/people/{theirPerson}/attendance")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PostAsync($"/api/v1/services/{myService}/attendance", new { personId = theirPerson })).ShouldBeValidationProblemAsync("personId");
        (await ArrayAsync(mine, "/api/v1/attendance/counts")).Select(c => c!["serviceId"]!.GetValue<long>()).ShouldBe([myService]);

        await using var db = app.Database(theirs.OrganizationId);
        var record = await db.Attendance.SingleAsync();
        record.CheckedOutAt.ShouldBeNull();
        await using var myDb = app.Database(mine.OrganizationId);
        (await myDb.Attendance.CountAsync()).ShouldBe(0);
    }

    private static async Task<long> ServiceAsync(ApiClient api, string startsAt = "2026-11-22T10:00:00Z", long? campusId = null, string name = "Sunday", string kind = "worship")
    {
        campusId ??= (await api.CreateAsync("/api/v1/campuses", new { name = $"Campus {Guid.NewGuid():N}"[..20] }))["id"]!.GetValue<long>();
        return (await api.CreateAsync("/api/v1/services", new { campusId, name, kind, startsAt }))["id"]!.GetValue<long>();
    }

    private async Task<long> PersonAsync(ApiClient api, string first, string last)
    {
        await using var db = app.Database(api.OrganizationId);
        var person = new Person { FirstName = first, LastName = last };
        person.RefreshSearchColumns();
        db.People.Add(person);
        await db.SaveChangesAsync();
        return person.Id;
    }

    private async Task FamilyAsync(ApiClient api, params (long PersonId, FamilyRole Role)[] members)
    {
        await using var db = app.Database(api.OrganizationId);
        db.Families.Add(new Family { Name = "Lee", Members = [.. members.Select(m => new FamilyMember { PersonId = m.PersonId, Role = m.Role })] });
        await db.SaveChangesAsync();
    }

    private async Task<(long FamilyId, long PickupId)> FamilyWithPickupAsync(ApiClient api, string pickup, params (long PersonId, FamilyRole Role)[] members)
    {
        await using var db = app.Database(api.OrganizationId);
        var family = new Family { Name = "Lee", Members = [.. members.Select(m => new FamilyMember { PersonId = m.PersonId, Role = m.Role })] };
        var authorized = new AuthorizedPickup { Name = pickup };
        family.AuthorizedPickups.Add(authorized);
        db.Families.Add(family);
        await db.SaveChangesAsync();
        return (family.Id, authorized.Id);
    }

    private static async Task PostOkAsync(ApiClient api, string url, object body)
    {
        using var response = await api.PostAsync(url, body);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonObject> ResponseJsonAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            return JsonNode.Parse(text)!.AsObject();
        }
    }

    private static async Task<JsonArray> ArrayAsync(ApiClient api, string url)
    {
        using var response = await api.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsArray();
    }
}
