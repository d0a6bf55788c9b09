using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Accounts;
using Shepherd.Data.Attendance;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Safety;
using Shouldly;

namespace Shepherd.Tests.Pages.CheckIn;

public sealed class KioskPageSqliteTests(PagesSqliteApp app) : KioskPageTests<PagesSqliteApp>(app);

public sealed class KioskPagePostgresTests(PagesPostgresApp app) : KioskPageTests<PagesPostgresApp>(app);

/// <summary>/checkin, the kiosk: today's rooms, the family search, one check-in per child with the label's code, retries.</summary>
public abstract class KioskPageTests<TApp>(TApp app) where TApp : ShepherdApp, IPageApp
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task<(PageSession Session, PageSession Volunteer, KioskWorld World)> StartAsync()
    {
        var session = await PageSession.StartAsync(app);
        var world = await KioskWorld.CreateAsync(app, session.Admin);
        var volunteer = await session.AsAsync(app, OrganizationRole.CheckInVolunteer);
        return (session, volunteer, world);
    }

    [Fact]
    public async Task The_kiosk_offers_todays_services_childrens_rooms_first_and_nothing_of_other_days()
    {
        var (session, volunteer, world) = await StartAsync();
        using (session)
        using (volunteer)
        {
            var page = await volunteer.PageAsync("/checkin");

            var offered = page.QuerySelectorAll("#setup-form input[name=service]").Select(i => long.Parse(i.GetAttribute("value")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            offered.ShouldBe([world.KidsRoom, world.Worship], "the kids room first although worship starts earlier; yesterday's room is not offered");
            page.QuerySelector($"input[value='{world.KidsRoom}']")!.GetAttribute("data-kind").ShouldBe("kids");
            page.QuerySelector("#kiosk")!.GetAttribute("data-today").ShouldNotBeNullOrEmpty();
            page.QuerySelector("#kiosk input[name=__RequestVerificationToken]").ShouldNotBeNull();
            page.QuerySelector("nav.main a[aria-current=page]")!.GetAttribute("href").ShouldBe("/checkin");
            page.QuerySelector("script[src^='/js/kiosk.js?v=']").ShouldNotBeNull();
        }
    }

    [Fact]
    public async Task A_church_with_no_service_today_is_told_what_to_do()
    {
        using var session = await PageSession.StartAsync(app);
        using var volunteer = await session.AsAsync(app, OrganizationRole.CheckInVolunteer);

        var page = await volunteer.PageAsync("/checkin");

        page.TextOf(".empty").ShouldContain("No services today");
        page.QuerySelector("#setup-form").ShouldBeNull();
    }

    [Fact]
    public async Task A_family_is_found_by_the_last_phone_digits_or_part_of_the_name_with_ages_medical_notes_and_who_is_already_in()
    {
        var (session, volunteer, world) = await StartAsync();
        using (session)
        using (volunteer)
        {
            await session.Admin.CreateAsync($"/api/v1/services/{world.KidsRoom}/attendance", new { personId = world.Ada, securityCode = "AB12" });
            var rooms = $"&service={world.KidsRoom}&service={world.Worship}";

            var byPhone = (await Kiosk.GetJsonAsync(volunteer.Browser, $"/checkin?handler=families&q=4471{rooms}")).AsArray();
            var byName = (await Kiosk.GetJsonAsync(volunteer.Browser, $"/checkin?handler=families&q={world.Surname[..6].ToUpperInvariant()}{rooms}")).AsArray();

            byPhone.Select(f => f!["id"]!.GetValue<long>()).ShouldBe([world.LeeFamily]);
            byName.Select(f => f!["id"]!.GetValue<long>()).ShouldBe([world.LeeFamily]);
            var members = byPhone[0]!["members"]!.AsArray();
            members.Select(m => m!["firstName"]!.GetValue<string>()).ShouldBe(["Ann", "Kit", "Ada"]);
            members.Select(m => m!["role"]!.GetValue<string>()).ShouldBe(["adult", "child", "child"]);
            var kit = members[1]!;
            kit["age"]!.GetValue<int>().ShouldBe(6);
            kit["medicalNote"]!.GetValue<string>().ShouldBe(KioskWorld.KitsNote);
            kit["checkIns"]!.AsArray().ShouldBeEmpty();
            var ada = members[2]!["checkIns"]!.AsArray().Single()!;
            ada["serviceId"]!.GetValue<long>().ShouldBe(world.KidsRoom);
            ada["checkedOut"]!.GetValue<bool>().ShouldBeFalse();
            byPhone[0]!["pickups"]!.AsArray().Single()!["name"]!.GetValue<string>().ShouldBe("Grandma Rose");
            byPhone.ToJsonString().ShouldNotContain("AB12", Case.Insensitive, "the search never reveals a security code");
            byPhone.ToJsonString().ShouldNotContain("555", Case.Insensitive, "nor a phone number");
        }
    }

    [Theory]
    [InlineData("q=1&service=1")]
    [InlineData("q=123")]
    [InlineData("q=Lee&service=abc")]
    [InlineData("q=Lee&service=1&service=2&service=3&service=4&service=5&service=6&service=7&service=8&service=9&service=10&service=11&service=12&service=13&service=14&service=15&service=16&service=17&service=18&service=19&service=20&service=21")]
    public async Task A_bad_search_is_a_400_naming_the_field(string query)
    {
        using var session = await PageSession.StartAsync(app);
        using var volunteer = await session.AsAsync(app, OrganizationRole.CheckInVolunteer);

        var problem = await Kiosk.GetJsonAsync(volunteer.Browser, $"/checkin?handler=families&{query}", HttpStatusCode.BadRequest);

        problem["errors"]!.AsObject().Select(e => e.Key).Single().ShouldBeOneOf("q", "service");
    }

    [Fact]
    public async Task A_check_in_from_the_kiosk_records_one_kiosk_check_in_with_the_code_printed_on_the_label()
    {
        var (session, volunteer, world) = await StartAsync();
        using (session)
        using (volunteer)
        {
            var token = await Kiosk.TokenAsync(volunteer.Browser);
            var clientId = Guid.NewGuid();

            var made = await (await Kiosk.CheckInAsync(volunteer.Browser, token, new { serviceId = world.KidsRoom, personId = world.Kit, clientId, securityCode = "k7q4" }))
                .JsonAsync(HttpStatusCode.Created);

            made["securityCode"]!.GetValue<string>().ShouldBe("K7Q4");
            made["repeated"]!.GetValue<bool>().ShouldBeFalse();
            made["clientId"]!.GetValue<Guid>().ShouldBe(clientId);
            await using var db = app.Database(session.OrganizationId);
            var record = await db.Attendance.SingleAsync();
            (record.PersonId, record.ServiceId, record.SecurityCode, record.Method, record.ClientId).ShouldBe((world.Kit, world.KidsRoom, "K7Q4", CheckInMethod.Kiosk, clientId));
            record.CheckedInByUserId.ShouldBe(await db.Users.Where(u => u.Email == volunteer.User.AdminEmail).Select(u => (long?)u.Id).SingleAsync());
            // An adult checked in without a code gets none; a child sent without one gets one made by the server.
            (await (await Kiosk.CheckInAsync(volunteer.Browser, token, new { serviceId = world.Worship, personId = world.Ann, clientId = Guid.NewGuid() }))
                .JsonAsync(HttpStatusCode.Created))["securityCode"].ShouldBeNull();
            (await (await Kiosk.CheckInAsync(volunteer.Browser, token, new { serviceId = world.KidsRoom, personId = world.Ada, clientId = Guid.NewGuid() }))
                .JsonAsync(HttpStatusCode.Created))["securityCode"]!.GetValue<string>().Length.ShouldBe(4);
        }
    }

    [Fact]
    public async Task A_repeated_client_id_answers_the_first_check_in_with_the_same_code_and_records_it_once()
    {
        var (session, volunteer, world) = await StartAsync();
        using (session)
        using (volunteer)
        {
            var token = await Kiosk.TokenAsync(volunteer.Browser);
            var body = new { serviceId = world.KidsRoom, personId = world.Kit, clientId = Guid.NewGuid(), securityCode = "K7Q4" };
            await (await Kiosk.CheckInAsync(volunteer.Browser, token, body)).JsonAsync(HttpStatusCode.Created);

            // The kiosk lost the first answer and sends the queued check-in again, even with another code in a bad copy.
            var again = await (await Kiosk.CheckInAsync(volunteer.Browser, token, body with { securityCode = "XXXX" })).JsonAsync(HttpStatusCode.OK);
            var another = await (await Kiosk.CheckInAsync(volunteer.Browser, token, body with { personId = world.Ada })).JsonAsync(HttpStatusCode.Conflict);

            again["repeated"]!.GetValue<bool>().ShouldBeTrue();
            again["securityCode"]!.GetValue<string>().ShouldBe("K7Q4");
            another["detail"]!.GetValue<string>().ShouldContain("clientId");
            await using var db = app.Database(session.OrganizationId);
            (await db.Attendance.CountAsync()).ShouldBe(1);
            (await db.Attendance.SingleAsync()).SecurityCode.ShouldBe("K7Q4");
        }
    }

    [Fact]
    public async Task Checking_in_someone_already_in_the_room_is_a_conflict_and_keeps_one_record()
    {
        var (session, volunteer, world) = await StartAsync();
        using (session)
        using (volunteer)
        {
            var token = await Kiosk.TokenAsync(volunteer.Browser);
            await (await Kiosk.CheckInAsync(volunteer.Browser, token, new { serviceId = world.KidsRoom, personId = world.Kit, clientId = Guid.NewGuid(), securityCode = "K7Q4" }))
                .JsonAsync(HttpStatusCode.Created);

            var conflict = await (await Kiosk.CheckInAsync(volunteer.Browser, token, new { serviceId = world.KidsRoom, personId = world.Kit, clientId = Guid.NewGuid(), securityCode = "MMMM" }))
                .JsonAsync(HttpStatusCode.Conflict);

            conflict["title"]!.GetValue<string>().ShouldBe("Already checked in");
            await using var db = app.Database(session.OrganizationId);
            (await db.Attendance.SingleAsync()).SecurityCode.ShouldBe("K7Q4");
        }
    }

    [Theory]
    [InlineData("""{"personId":PERSON,"clientId":"CLIENT"}""", "serviceId")]
    [InlineData("""{"serviceId":SERVICE,"clientId":"CLIENT"}""", "personId")]
    [InlineData("""{"serviceId":SERVICE,"personId":PERSON}""", "clientId")]
    [InlineData("""{"serviceId":SERVICE,"personId":PERSON,"clientId":"not-a-uuid"}""", "clientId")]
    [InlineData("""{"serviceId":SERVICE,"personId":PERSON,"clientId":"00000000-0000-0000-0000-000000000000"}""", "clientId")]
    [InlineData("""{"serviceId":SERVICE,"personId":PERSON,"clientId":"CLIENT","securityCode":"A-1"}""", "securityCode")]
    [InlineData("""{"serviceId":SERVICE,"personId":PERSON,"clientId":"CLIENT","securityCode":"ABCDEFGHJ"}""", "securityCode")]
    [InlineData("""{"serviceId":"nine","personId":PERSON,"clientId":"CLIENT"}""", "serviceId")]
    [InlineData("""{"serviceId":-4,"personId":PERSON,"clientId":"CLIENT"}""", "serviceId")]
    [InlineData("""{"serviceId":SERVICE,"personId":987654321,"clientId":"CLIENT"}""", "personId")]
    [InlineData("""{"serviceId":SERVICE,"personId":PERSON,"clientId":"CLIENT","securityCode":"AB\u0000C"}""", "securityCode")]
    [InlineData("""{"serviceId":SERVICE""", "serviceId")]
    [InlineData("""[1,2]""", "body")]
    [InlineData("""null""", "body")]
    [InlineData("""nope""", "body")]
    public async Task Bad_check_in_input_is_a_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        var (session, volunteer, world) = await StartAsync();
        using (session)
        using (volunteer)
        {
            var token = await Kiosk.TokenAsync(volunteer.Browser);
            var before = await Fingerprint.OfAsync(app, session.OrganizationId);
            var json = body.Replace("SERVICE", world.KidsRoom.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("PERSON", world.Kit.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("CLIENT", Guid.NewGuid().ToString(), StringComparison.Ordinal);

            var problem = await (await Kiosk.PostJsonAsync(volunteer.Browser, token, Kiosk.Raw(json))).JsonAsync(HttpStatusCode.BadRequest);

            problem["errors"]!.AsObject().Select(e => e.Key).ShouldContain(field, problem.ToJsonString());
            (await Fingerprint.OfAsync(app, session.OrganizationId)).ShouldBe(before);
        }
    }

    [Fact]
    public async Task A_form_post_or_a_post_without_the_antiforgery_token_records_nothing()
    {
        var (session, volunteer, world) = await StartAsync();
        using (session)
        using (volunteer)
        {
            var token = await Kiosk.TokenAsync(volunteer.Browser);
            using (var form = await Kiosk.PostJsonAsync(volunteer.Browser, token, new FormUrlEncodedContent(new Dictionary<string, string> { ["serviceId"] = "1" })))
            {
                form.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            }
            using (var forged = await Kiosk.PostJsonAsync(volunteer.Browser, "forged", Kiosk.Raw($$"""{"serviceId":{{world.KidsRoom}},"personId":{{world.Kit}},"clientId":"{{Guid.NewGuid()}}"}""")))
            {
                forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            }
            await using var db = app.Database(session.OrganizationId);
            (await db.Attendance.CountAsync()).ShouldBe(0);
        }
    }

    [Fact]
    public async Task Another_organizations_service_is_not_found_and_its_person_is_unknown_and_nothing_is_written_there()
    {
        var (session, volunteer, world) = await StartAsync();
        using var other = await PageSession.StartAsync(app);
        var theirs = await KioskWorld.CreateAsync(app, other.Admin);
        using (session)
        using (volunteer)
        {
            var token = await Kiosk.TokenAsync(volunteer.Browser);

            await (await Kiosk.CheckInAsync(volunteer.Browser, token, new { serviceId = theirs.KidsRoom, personId = world.Kit, clientId = Guid.NewGuid() }))
                .JsonAsync(HttpStatusCode.NotFound);
            // As the API answers: the person is a field of the body, refused by name like any unknown id.
            (await (await Kiosk.CheckInAsync(volunteer.Browser, token, new { serviceId = world.KidsRoom, personId = theirs.Kit, clientId = Guid.NewGuid() }))
                .JsonAsync(HttpStatusCode.BadRequest))["errors"]!["personId"].ShouldNotBeNull();
            (await Kiosk.GetJsonAsync(volunteer.Browser, $"/checkin?handler=families&q={theirs.Surname}")).AsArray().ShouldBeEmpty();
            var counts = (await Kiosk.GetJsonAsync(volunteer.Browser, $"/checkin?handler=counts&service={theirs.KidsRoom}")).AsArray();
            counts.ShouldBeEmpty("another church's room has no count here");

            await using var mine = app.Database(session.OrganizationId);
            (await mine.Attendance.CountAsync()).ShouldBe(0);
            await using var theirDb = app.Database(other.OrganizationId);
            (await theirDb.Attendance.CountAsync()).ShouldBe(0);
        }
    }

    [Fact]
    public async Task A_group_leader_checks_in_only_the_people_of_their_groups()
    {
        var (session, _, world) = await StartAsync();
        using (session)
        {
            var group = await session.Admin.CreateAsync("/api/v1/groups", new { name = "Kids helpers", kind = "ministry" });
            await session.Admin.CreateAsync($"/api/v1/groups/{group["id"]}/members", new { personId = world.Ann, role = "leader" });
            await session.Admin.CreateAsync($"/api/v1/groups/{group["id"]}/members", new { personId = world.Kit, role = "member" });
            using var leader = await session.AsAsync(app, OrganizationRole.GroupLeader, world.Ann);
            var token = await Kiosk.TokenAsync(leader.Browser);

            await (await Kiosk.CheckInAsync(leader.Browser, token, new { serviceId = world.KidsRoom, personId = world.Kit, clientId = Guid.NewGuid() })).JsonAsync(HttpStatusCode.Created);
            await (await Kiosk.CheckInAsync(leader.Browser, token, new { serviceId = world.KidsRoom, personId = world.Ned, clientId = Guid.NewGuid() })).JsonAsync(HttpStatusCode.BadRequest);

            await using var db = app.Database(session.OrganizationId);
            (await db.Attendance.Select(a => a.PersonId).ToListAsync()).ShouldBe([world.Kit]);
        }
    }

    [Fact]
    public async Task Room_counts_are_checked_in_minus_checked_out_on_the_kiosk_and_the_rooms_page()
    {
        var (session, volunteer, world) = await StartAsync();
        using (session)
        using (volunteer)
        {
            foreach (var child in new[] { world.Kit, world.Ada, world.Ned })
            {
                await session.Admin.CreateAsync($"/api/v1/services/{world.KidsRoom}/attendance", new { personId = child, securityCode = "K7Q4" });
            }
            await session.Admin.CreateAsync($"/api/v1/services/{world.Worship}/attendance", new { personId = world.Ann });
            using (var response = await session.Admin.PostAsync($"/api/v1/services/{world.KidsRoom}/attendance/{world.Ned}/checkout", new { securityCode = "K7Q4" }))
            {
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
            }

            var counts = (await Kiosk.GetJsonAsync(volunteer.Browser, $"/checkin?handler=counts&service={world.KidsRoom}&service={world.Worship}")).AsArray();
            var rooms = await volunteer.PageAsync("/checkin/rooms");

            var kids = counts.Single(c => c!["serviceId"]!.GetValue<long>() == world.KidsRoom)!;
            (kids["checkedIn"]!.GetValue<int>(), kids["checkedOut"]!.GetValue<int>(), kids["present"]!.GetValue<int>()).ShouldBe((3, 1, 2));
            counts.Single(c => c!["serviceId"]!.GetValue<long>() == world.Worship)!["present"]!.GetValue<int>().ShouldBe(1);
            rooms.TextOf($"#rooms tr[data-service='{world.KidsRoom}'] .present").ShouldBe("2");
            rooms.TextOf($"#rooms tr[data-service='{world.Worship}'] .present").ShouldBe("1");
            rooms.QuerySelector($"#rooms tr[data-service='{world.YesterdaysRoom}']").ShouldBeNull();
            rooms.QuerySelector("meta[http-equiv=refresh]").ShouldBeNull("a timed reload is an accessibility failure; the page's script refreshes the numbers");
            var live = (await Kiosk.GetJsonAsync(volunteer.Browser, "/checkin/rooms?handler=counts")).AsArray();
            live.Select(c => (c!["serviceId"]!.GetValue<long>(), c["present"]!.GetValue<int>())).Order().ShouldBe(new[] { (world.KidsRoom, 2), (world.Worship, 1) }.Order());
        }
    }

    [Fact]
    public async Task A_check_in_volunteer_reaches_the_kiosk_and_nothing_else()
    {
        using var session = await PageSession.StartAsync(app);
        using var volunteer = await session.AsAsync(app, OrganizationRole.CheckInVolunteer);

        using (var door = await volunteer.Browser.GetAsync("/", Cancel))
        {
            door.Headers.Location!.ToString().ShouldBe("/checkin");
        }
        var kiosk = await volunteer.PageAsync("/checkin");
        kiosk.QuerySelectorAll("nav.main a").Select(a => a.GetAttribute("href")).ShouldBe(["/checkin"]);
        kiosk.QuerySelector("#global-search").ShouldBeNull();
        foreach (var page in new[] { "/search?q=Lee", "/audit", "/search?handler=suggest&q=Lee" })
        {
            using var refused = await volunteer.Browser.GetAsync(page, Cancel);
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden, page);
        }
        foreach (var api in new[] { "/api/v1/people", "/api/v1/families", "/api/v1/groups", "/api/v1/attendance/counts", "/api/v1/audit" })
        {
            using var refused = await volunteer.Browser.GetAsync(api, Cancel);
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden, api);
        }

        using var viewer = await session.AsAsync(app, OrganizationRole.Viewer);
        foreach (var page in new[] { "/checkin", "/checkin?handler=families&q=4471", "/checkin?handler=counts", "/checkin/checkout", "/checkin/rooms", "/checkin/labels?code=K7Q4" })
        {
            using var refused = await viewer.Browser.GetAsync(page, Cancel);
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden, page);
        }
    }
}
