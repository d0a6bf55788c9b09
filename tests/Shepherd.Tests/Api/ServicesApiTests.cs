using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Attendance;
using Shepherd.Data.People;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Api;

public sealed class ServicesApiSqliteTests(SqliteApp app) : ServicesApiTests<SqliteApp>(app);

public sealed class ServicesApiPostgresTests(PostgresApp app) : ServicesApiTests<PostgresApp>(app);

/// <summary>/api/v1/services on each provider.</summary>
public abstract class ServicesApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    [Fact]
    public async Task A_created_service_is_stored_in_utc_and_read_back_with_its_etag()
    {
        using var api = await app.NewOrganizationAsync();
        var campus = await CampusAsync(api);
        var created = await api.CreateAsync("/api/v1/services", new
        {
            campusId = campus,
            name = " Sunday 10am ",
            kind = "worship",
            startsAt = "2026-11-22T10:00:00+02:00",
            endsAt = "2026-11-22T11:30:00+02:00",
            headcount = 12,
            notes = "Advent",
        });
        var url = $"/api/v1/services/{created["id"]}";

        using var response = await api.GetAsync(url);
        response.Headers.ETag!.Tag.ShouldBe("\"0\"");
        var service = await api.GetJsonAsync(url);
        service["name"]!.GetValue<string>().ShouldBe("Sunday 10am");
        service["kind"]!.GetValue<string>().ShouldBe("worship");
        service["campusId"]!.GetValue<long>().ShouldBe(campus);
        service["startsAt"]!.GetValue<DateTimeOffset>().ShouldBe(DateTimeOffset.Parse("2026-11-22T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        service["startsAt"]!.GetValue<string>().ShouldEndWith("+00:00");
        service["date"]!.GetValue<string>().ShouldBe("2026-11-22");
        service["headcount"]!.GetValue<int>().ShouldBe(12);
        service["attendanceCount"]!.GetValue<int>().ShouldBe(0);
        await using var db = app.Database(api.OrganizationId);
        (await db.Services.SingleAsync()).StartsAt.Offset.ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public async Task The_date_is_the_calendar_date_in_the_organizations_time_zone()
    {
        using var api = await app.NewOrganizationAsync();
        await SetTimeZoneAsync(api, "America/Chicago");
        var campus = await CampusAsync(api);

        var evening = await api.CreateAsync("/api/v1/services", new { campusId = campus, name = "Saturday night", startsAt = "2026-11-23T03:00:00Z" });

        evening["date"]!.GetValue<string>().ShouldBe("2026-11-22");
        using var utcApi = await app.NewOrganizationAsync();
        var utcService = await utcApi.CreateAsync("/api/v1/services", new { campusId = await CampusAsync(utcApi), name = "Same moment", startsAt = "2026-11-23T03:00:00Z" });
        utcService["date"]!.GetValue<string>().ShouldBe("2026-11-23");
    }

    [Fact]
    public async Task Moving_a_service_moves_the_date_copied_onto_its_attendance()
    {
        using var api = await app.NewOrganizationAsync();
        var campus = await CampusAsync(api);
        var id = (await api.CreateAsync("/api/v1/services", new { campusId = campus, name = "Sunday", startsAt = "2026-11-22T10:00:00Z" }))["id"]!.GetValue<long>();
        await AddAttendanceAsync(api, id, new DateOnly(2026, 11, 22));

        using var response = await api.PutAsync($"/api/v1/services/{id}", new { campusId = campus, name = "Sunday", startsAt = "2026-11-29T10:00:00Z" });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var db = app.Database(api.OrganizationId);
        (await db.Services.SingleAsync()).Date.ShouldBe(new DateOnly(2026, 11, 29));
        (await db.Attendance.SingleAsync()).ServiceDate.ShouldBe(new DateOnly(2026, 11, 29));
    }

    [Fact]
    public async Task The_list_is_newest_first_by_default_paged_and_sortable_oldest_first()
    {
        using var api = await app.NewOrganizationAsync();
        var campus = await CampusAsync(api);
        foreach (var day in new[] { 15, 29, 22 })
        {
            await api.CreateAsync("/api/v1/services", new { campusId = campus, name = $"Nov {day}", startsAt = $"2026-11-{day}T10:00:00Z" });
        }

        var page = await api.GetJsonAsync("/api/v1/services?pageSize=2");
        page["totalCount"]!.GetValue<int>().ShouldBe(3);
        Names(page).ShouldBe(["Nov 29", "Nov 22"]);
        Names(await api.GetJsonAsync("/api/v1/services?pageSize=2&page=2")).ShouldBe(["Nov 15"]);
        Names(await api.GetJsonAsync("/api/v1/services?sort=startsAt")).ShouldBe(["Nov 15", "Nov 22", "Nov 29"]);
    }

    [Fact]
    public async Task The_list_filters_by_campus_kind_and_date_range()
    {
        using var api = await app.NewOrganizationAsync();
        var north = await CampusAsync(api, "North");
        var south = await CampusAsync(api, "South");
        await api.CreateAsync("/api/v1/services", new { campusId = north, name = "North worship", kind = "worship", startsAt = "2026-11-15T10:00:00Z" });
        await api.CreateAsync("/api/v1/services", new { campusId = north, name = "North kids", kind = "kids", startsAt = "2026-11-22T10:00:00Z" });
        await api.CreateAsync("/api/v1/services", new { campusId = south, name = "South worship", kind = "worship", startsAt = "2026-11-29T10:00:00Z" });

        Names(await api.GetJsonAsync($"/api/v1/services?campusId={north}&sort=startsAt")).ShouldBe(["North worship", "North kids"]);
        Names(await api.GetJsonAsync("/api/v1/services?kind=worship&sort=startsAt")).ShouldBe(["North worship", "South worship"]);
        Names(await api.GetJsonAsync("/api/v1/services?from=2026-11-22&to=2026-11-29&sort=startsAt")).ShouldBe(["North kids", "South worship"]);
        Names(await api.GetJsonAsync("/api/v1/services?to=2026-11-22&kind=kids")).ShouldBe(["North kids"]);
        Names(await api.GetJsonAsync("/api/v1/services?from=2026-11-23")).ShouldBe(["South worship"]);
    }

    [Theory]
    [InlineData("pageSize=1000", "pageSize")]
    [InlineData("from=2026-11-30&to=2026-11-01", "from")]
    [InlineData("kind=party", "kind")]
    [InlineData("sort=name", "sort")]
    public async Task Bad_list_parameters_are_a_400(string query, string field)
    {
        using var api = await app.NewOrganizationAsync();

        await (await api.GetAsync($"/api/v1/services?{query}")).ShouldBeValidationProblemAsync(field);
    }

    [Fact]
    public async Task A_malformed_date_filter_is_a_400()
    {
        using var api = await app.NewOrganizationAsync();

        await (await api.GetAsync("/api/v1/services?from=yesterday")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("""{"name":"Sunday","startsAt":"2026-11-22T10:00:00Z"}""", "campusId")]
    [InlineData("""{"campusId":999999999,"name":"Sunday","startsAt":"2026-11-22T10:00:00Z"}""", "campusId")]
    [InlineData("""{"campusId":0,"name":"","startsAt":"2026-11-22T10:00:00Z"}""", "name")]
    [InlineData("""{"campusId":0,"name":"  ","startsAt":"2026-11-22T10:00:00Z"}""", "name")]
    [InlineData("""{"campusId":0,"name":"Sunday"}""", "startsAt")]
    [InlineData("""{"campusId":0,"name":"Sunday","startsAt":"next sunday"}""", "startsAt")]
    [InlineData("""{"campusId":0,"name":"Sunday","startsAt":"2026-11-22T10:00:00Z","endsAt":"2026-11-22T09:00:00Z"}""", "endsAt")]
    [InlineData("""{"campusId":0,"name":"Sunday","startsAt":"2026-11-22T10:00:00Z","endsAt":"2026-11-22T10:00:00Z"}""", "endsAt")]
    [InlineData("""{"campusId":0,"name":"Sunday","startsAt":"2026-11-22T10:00:00Z","headcount":-1}""", "headcount")]
    [InlineData("""{"campusId":0,"name":"Sunday","startsAt":"2026-11-22T10:00:00Z","kind":"party"}""", "kind")]
    [InlineData("""{"campusId":0,"name":"Sunday","startsAt":"2026-11-22T10:00:00Z","notes":"NOTES"}""", "notes")]
    [InlineData("""{"campusId":0,"name":"NAME","startsAt":"2026-11-22T10:00:00Z"}""", "name")]
    [InlineData("""{"campusId":0,"name":"Sunday""", "name")]
    [InlineData("""[]""", "body")]
    public async Task Bad_input_is_a_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        using var api = await app.NewOrganizationAsync();
        var campus = await CampusAsync(api);
        body = body.Replace("\"campusId\":0", $"\"campusId\":{campus}", StringComparison.Ordinal)
            .Replace("NOTES", new string('n', 2001), StringComparison.Ordinal)
            .Replace("NAME", new string('n', 201), StringComparison.Ordinal);

        using var response = await api.SendRawAsync(HttpMethod.Post, "/api/v1/services", body);

        await response.ShouldBeValidationProblemAsync(field);
        await using var db = app.Database(api.OrganizationId);
        (await db.Services.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task The_headcount_can_be_set_on_its_own_and_must_not_be_negative()
    {
        using var api = await app.NewOrganizationAsync();
        var url = $"/api/v1/services/{(await api.CreateAsync("/api/v1/services", new { campusId = await CampusAsync(api), name = "Sunday", startsAt = "2026-11-22T10:00:00Z" }))["id"]}";

        using var ok = await api.PutAsync($"{url}/headcount", new { headcount = 37 });
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await api.PutAsync($"{url}/headcount", new { headcount = -5 })).ShouldBeValidationProblemAsync("headcount");
        await (await api.PutAsync($"{url}/headcount", new { })).ShouldBeValidationProblemAsync("headcount");

        var service = await api.GetJsonAsync(url);
        service["headcount"]!.GetValue<int>().ShouldBe(37);
        service["version"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task A_service_with_attendance_cannot_be_deleted_but_one_without_can()
    {
        using var api = await app.NewOrganizationAsync();
        var campus = await CampusAsync(api);
        var attended = (await api.CreateAsync("/api/v1/services", new { campusId = campus, name = "Attended", startsAt = "2026-11-22T10:00:00Z" }))["id"]!.GetValue<long>();
        var empty = (await api.CreateAsync("/api/v1/services", new { campusId = campus, name = "Empty", startsAt = "2026-11-22T12:00:00Z" }))["id"]!.GetValue<long>();
        await AddAttendanceAsync(api, attended, new DateOnly(2026, 11, 22));

        await (await api.DeleteAsync($"/api/v1/services/{attended}")).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await api.GetJsonAsync($"/api/v1/services/{attended}"))["attendanceCount"]!.GetValue<int>().ShouldBe(1);
        (await api.DeleteAsync($"/api/v1/services/{empty}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await api.GetAsync($"/api/v1/services/{empty}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_organizations_service_is_not_found_and_its_campus_is_refused()
    {
        using var mine = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var theirCampus = await CampusAsync(theirs);
        var url = $"/api/v1/services/{(await theirs.CreateAsync("/api/v1/services", new { campusId = theirCampus, name = "Theirs", startsAt = "2026-11-22T10:00:00Z" }))["id"]}";
        var myCampus = await CampusAsync(mine);

        await (await mine.GetAsync(url)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PutAsync(url, new { campusId = myCampus, name = "Mine now", startsAt = "2026-11-22T10:00:00Z" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PutAsync($"{url}/headcount", new { headcount = 1 })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.DeleteAsync(url)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PostAsync("/api/v1/services", new { campusId = theirCampus, name = "Sneaky", startsAt = "2026-11-22T10:00:00Z" }))
            .ShouldBeValidationProblemAsync("campusId");
        (await mine.GetJsonAsync("/api/v1/services"))["totalCount"]!.GetValue<int>().ShouldBe(0);

        var still = await theirs.GetJsonAsync(url);
        still["name"]!.GetValue<string>().ShouldBe("Theirs");
        still["headcount"].ShouldBeNull();
    }

    private static string[] Names(JsonObject page) => [.. page["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>())];

    private static async Task<long> CampusAsync(ApiClient api, string name = "Main") =>
        (await api.CreateAsync("/api/v1/campuses", new { name }))["id"]!.GetValue<long>();

    private async Task SetTimeZoneAsync(ApiClient api, string timeZone)
    {
        await using var db = app.Database(api.OrganizationId);
        var organization = (await db.Organizations.FindAsync(api.OrganizationId))!;
        organization.TimeZone = timeZone;
        await db.SaveChangesAsync();
    }

    private async Task AddAttendanceAsync(ApiClient api, long serviceId, DateOnly date)
    {
        await using var db = app.Database(api.OrganizationId);
        var person = new Person { FirstName = "Ann", LastName = "Lee" };
        person.RefreshSearchColumns();
        db.People.Add(person);
        await db.SaveChangesAsync();
        db.Attendance.Add(new AttendanceRecord { PersonId = person.Id, ServiceId = serviceId, ServiceDate = date, CheckedInAt = DateTimeOffset.UnixEpoch });
        await db.SaveChangesAsync();
    }
}
