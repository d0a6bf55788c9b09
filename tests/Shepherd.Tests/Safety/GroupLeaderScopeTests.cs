using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Shepherd.Data.Accounts;
using Shepherd.Data.Attendance;
using Shepherd.Data.Badges;
using Shepherd.Data.Groups;
using Shepherd.Data.Notes;
using Shepherd.Data.Organizations;
using Shepherd.Data.People;
using Shepherd.Data.Services;
using Shepherd.Tests.Infrastructure;
using Shouldly;
using Group = Shepherd.Data.Groups.Group;

namespace Shepherd.Tests.Safety;

public sealed class GroupLeaderScopeSqliteTests(SqliteApp app) : GroupLeaderScopeTests<SqliteApp>(app);

public sealed class GroupLeaderScopePostgresTests(PostgresApp app) : GroupLeaderScopeTests<PostgresApp>(app);

/// <summary>
/// A group leader sees and changes only the people of the groups they lead (and themself), and cannot tell anyone
/// else from an id that does not exist. The limits are SQL subqueries, so they run on both providers.
/// </summary>
public abstract class GroupLeaderScopeTests<TApp>(TApp app) where TApp : ShepherdApp
{
    private const long Missing = 987_654_321;

    /// <summary>
    /// Lead leads Home (with Mary and Martha). Outsider is in another group, Quentin in a group Lead only attends,
    /// Ruth in an archived group Lead led, Xavier in no group at all.
    /// </summary>
    private sealed record Church(
        ApiClient Admin, long Lead, long Mary, long Martha, long Outsider, long Quentin, long Ruth, long Xavier,
        long Home, long Other, long Attended, long Archived, long Service, long NoteId, string OutsiderEmail)
    {
        public long[] Strangers => [Outsider, Quentin, Ruth, Xavier];
    }

    private async Task<Church> ChurchAsync()
    {
        var admin = await app.NewOrganizationAsync();
        await using var db = app.Database(admin.OrganizationId);
        var campus = new Campus { Name = "Main" };
        db.Campuses.Add(campus);
        var marker = $"{Guid.NewGuid():N}"[..8];
        Person New(string first)
        {
            var p = new Person { FirstName = first, LastName = $"Zeb{marker}", CampusId = null };
            p.RefreshSearchColumns();
            db.People.Add(p);
            return p;
        }
        var (lead, mary, martha, outsider, quentin, ruth, xavier) =
            (New("Lead"), New("Mary"), New("Martha"), New("Outsider"), New("Quentin"), New("Ruth"), New("Xavier"));
        var email = $"outsider-{marker}@example.org";
        outsider.Emails.Add(new PersonEmail { Address = email, NormalizedAddress = email, IsPrimary = true });
        outsider.RefreshSearchColumns();
        await db.SaveChangesAsync();

        Group NewGroup(string name, params (Person Person, GroupRole Role)[] people)
        {
            var g = new Group { Name = name };
            g.Members.AddRange(people.Select(p => new GroupMember { PersonId = p.Person.Id, Role = p.Role, JoinedOn = new DateOnly(2025, 1, 5) }));
            db.Groups.Add(g);
            return g;
        }
        var home = NewGroup("Home", (lead, GroupRole.Leader), (mary, GroupRole.Member), (martha, GroupRole.Member));
        var other = NewGroup("Other", (outsider, GroupRole.Member));
        var attended = NewGroup("Attended", (quentin, GroupRole.Leader), (lead, GroupRole.Member));
        var archived = NewGroup("Archived", (lead, GroupRole.Leader), (ruth, GroupRole.Member));
        archived.ArchivedAt = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var service = new Service
        {
            CampusId = campus.Id,
            Name = "Sunday",
            Kind = ServiceKind.Worship,
            StartsAt = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero),
            Date = new DateOnly(2026, 11, 22),
        };
        db.Services.Add(service);
        var badgeType = new BadgeType { Name = "Baptized" };
        db.BadgeTypes.Add(badgeType);
        await db.SaveChangesAsync();

        db.Badges.AddRange(
            new Badge { PersonId = mary.Id, BadgeTypeId = badgeType.Id, AwardedOn = new DateOnly(2025, 3, 1) },
            new Badge { PersonId = outsider.Id, BadgeTypeId = badgeType.Id, AwardedOn = new DateOnly(2025, 3, 1) });
        var note = new Note { PersonId = mary.Id, AuthorName = "Pastor", Text = "Visited.", Visibility = NoteVisibility.Staff, NoteDate = new DateOnly(2026, 11, 1) };
        db.Notes.Add(note);
        db.Attendance.Add(new AttendanceRecord
        {
            PersonId = outsider.Id,
            ServiceId = service.Id,
            ServiceDate = service.Date,
            CheckedInAt = service.StartsAt,
            Method = CheckInMethod.Kiosk,
        });
        await db.SaveChangesAsync();
        return new Church(admin, lead.Id, mary.Id, martha.Id, outsider.Id, quentin.Id, ruth.Id, xavier.Id,
            home.Id, other.Id, attended.Id, archived.Id, service.Id, note.Id, email);
    }

    private Task<ApiClient> LeaderAsync(Church church, bool linked = true) =>
        app.NewMemberAsync(church.Admin.OrganizationId, OrganizationRole.GroupLeader, linked ? church.Lead : null);

    [Fact]
    public async Task A_leader_lists_only_the_people_of_the_groups_they_lead_and_themself()
    {
        var church = await ChurchAsync();
        var leader = await LeaderAsync(church);

        var page = await leader.GetJsonAsync("/api/v1/people?pageSize=200");
        Ids(page).ShouldBe([church.Lead, church.Mary, church.Martha], ignoreOrder: true);
        page["totalCount"]!.GetValue<int>().ShouldBe(3);
        (await leader.GetJsonAsync("/api/v1/people?q=outsider"))["totalCount"]!.GetValue<int>().ShouldBe(0);
        (await leader.GetJsonAsync($"/api/v1/people?q={church.OutsiderEmail}"))["totalCount"]!.GetValue<int>().ShouldBe(0);
        (await leader.GetJsonAsync($"/api/v1/people?groupId={church.Other}"))["totalCount"]!.GetValue<int>().ShouldBe(0);
        (await leader.GetJsonAsync($"/api/v1/badge-types/{await BadgeTypeAsync(church)}/people"))["totalCount"]!.GetValue<int>().ShouldBe(1);

        // The same church through a staff member's eyes: everyone.
        var staff = await app.NewMemberAsync(church.Admin.OrganizationId, OrganizationRole.Staff);
        (await staff.GetJsonAsync("/api/v1/people?pageSize=200"))["totalCount"]!.GetValue<int>().ShouldBe(7);
    }

    [Fact]
    public async Task A_leader_sees_no_family_names_adds_no_one_outside_their_groups_and_leaves_the_service_headcount_to_staff()
    {
        var church = await ChurchAsync();
        await using (var db = app.Database(church.Admin.OrganizationId))
        {
            var family = new Data.Families.Family { Name = "Bethany household" };
            family.Members.Add(new Data.Families.FamilyMember { PersonId = church.Mary, Role = Data.Families.FamilyRole.Adult });
            db.Families.Add(family);
            await db.SaveChangesAsync();
        }
        var leader = await LeaderAsync(church);
        var staff = await app.NewMemberAsync(church.Admin.OrganizationId, OrganizationRole.Staff);

        (await leader.GetJsonAsync($"/api/v1/people/{church.Mary}"))["families"]!.AsArray().ShouldBeEmpty("a leader may not read families");
        (await staff.GetJsonAsync($"/api/v1/people/{church.Mary}"))["families"]!.AsArray().Single()!["familyName"]!.GetValue<string>().ShouldBe("Bethany household");

        var before = (await staff.GetJsonAsync("/api/v1/people"))["totalCount"]!.GetValue<int>();
        (await leader.PostAsync("/api/v1/people", new { firstName = "New", lastName = "Comer" })).StatusCode
            .ShouldBe(HttpStatusCode.Forbidden, "a person a leader added would be outside their own groups");
        (await staff.GetJsonAsync("/api/v1/people"))["totalCount"]!.GetValue<int>().ShouldBe(before);
        (await leader.PutAsync($"/api/v1/services/{church.Service}/headcount", new { headcount = 400 })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await leader.PutAsync($"/api/v1/people/{church.Mary}", new { firstName = "Mary", lastName = "Of Bethany" })).StatusCode
            .ShouldBe(HttpStatusCode.OK, "their own people they still edit");
    }

    [Fact]
    public async Task Anyone_outside_the_leaders_groups_answers_exactly_like_an_id_that_does_not_exist()
    {
        var church = await ChurchAsync();
        var leader = await LeaderAsync(church);
        string[] reads = ["/api/v1/people/{0}", "/api/v1/people/{0}/photo", "/api/v1/people/{0}/attendance", "/api/v1/people/{0}/badges"];

        foreach (var template in reads)
        {
            var missing = await Answers.OfAsync(await leader.GetAsync(Url(template, Missing)), Missing);
            missing.ShouldStartWith("404 ");
            foreach (var stranger in church.Strangers)
            {
                (await Answers.OfAsync(await leader.GetAsync(Url(template, stranger)), stranger)).ShouldBe(missing, Url(template, stranger));
            }
            ((int)(await leader.GetAsync(Url(template, church.Mary))).StatusCode).ShouldBeOneOf([200, 404], "Mary has no photo: 404 'No photo' is hers");
        }
        (await leader.GetAsync($"/api/v1/people/{church.Mary}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await leader.GetAsync($"/api/v1/people/{church.Mary}/badges")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await leader.GetAsync($"/api/v1/people/{church.Lead}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var edit = new { firstName = "Changed", lastName = "ByLeader" };
        var photo = new RawBody(ApiCatalogue.TinyPng, "image/png");
        foreach (var id in church.Strangers.Append(Missing))
        {
            var expected = await Answers.OfAsync(await leader.PutAsync($"/api/v1/people/{Missing}", edit), Missing);
            (await Answers.OfAsync(await leader.PutAsync($"/api/v1/people/{id}", edit), id)).ShouldBe(expected);
            (await Answers.OfAsync(await ApiProbe.SendAsync(leader, "PUT", $"/api/v1/people/{id}/photo", photo), id))
                .ShouldBe(await Answers.OfAsync(await ApiProbe.SendAsync(leader, "PUT", $"/api/v1/people/{Missing}/photo", photo), Missing));
            (await Answers.OfAsync(await ApiProbe.SendAsync(leader, "POST", $"/api/v1/people/{id}/archive", null), id))
                .ShouldBe(await Answers.OfAsync(await ApiProbe.SendAsync(leader, "POST", $"/api/v1/people/{Missing}/archive", null), Missing));
        }
        var outsider = await church.Admin.GetJsonAsync($"/api/v1/people/{church.Outsider}");
        outsider["firstName"]!.GetValue<string>().ShouldBe("Outsider");
        outsider["archivedAt"].ShouldBeNull();
        outsider["photoUpdatedAt"].ShouldBeNull();

        // Their own group's people they do edit.
        (await leader.PutAsync($"/api/v1/people/{church.Mary}", new { firstName = "Mary", lastName = "Magdala" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ApiProbe.SendAsync(leader, "PUT", $"/api/v1/people/{church.Mary}/photo", photo)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_leader_sees_only_the_groups_they_lead()
    {
        var church = await ChurchAsync();
        var leader = await LeaderAsync(church);

        var groups = await leader.GetJsonAsync("/api/v1/groups?includeArchived=true");
        Ids(groups).ShouldBe([church.Home]);
        var home = await leader.GetJsonAsync($"/api/v1/groups/{church.Home}");
        home["members"]!.AsArray().Count.ShouldBe(2);
        (await leader.GetJsonAsync($"/api/v1/groups/{church.Home}/members"))["totalCount"]!.GetValue<int>().ShouldBe(3);

        foreach (var id in new[] { church.Other, church.Attended, church.Archived })
        {
            foreach (var template in new[] { "/api/v1/groups/{0}", "/api/v1/groups/{0}/members" })
            {
                (await Answers.OfAsync(await leader.GetAsync(Url(template, id)), id))
                    .ShouldBe(await Answers.OfAsync(await leader.GetAsync(Url(template, Missing)), Missing));
            }
        }
    }

    [Fact]
    public async Task A_leader_checks_in_and_lists_only_their_groups_people()
    {
        var church = await ChurchAsync();
        var leader = await LeaderAsync(church);
        var attendance = $"/api/v1/services/{church.Service}/attendance";

        (await leader.PostAsync(attendance, new { personId = church.Mary })).StatusCode.ShouldBe(HttpStatusCode.Created);
        var refused = await Answers.OfAsync(await leader.PostAsync(attendance, new { personId = church.Xavier }), church.Xavier);
        refused.ShouldStartWith("400 ");
        refused.ShouldBe(await Answers.OfAsync(await leader.PostAsync(attendance, new { personId = Missing }), Missing));
        (await Answers.OfAsync(await leader.PostAsync($"{attendance}/bulk", new { personIds = new[] { church.Martha, church.Quentin } }), church.Quentin))
            .ShouldBe(await Answers.OfAsync(await leader.PostAsync($"{attendance}/bulk", new { personIds = new[] { church.Martha, Missing } }), Missing));

        // The outsider the kiosk checked in: not in the list, and not to be checked out or removed by the leader.
        var list = await leader.GetJsonAsync(attendance);
        list["items"]!.AsArray().Select(i => i!["personId"]!.GetValue<long>()).ShouldBe([church.Mary]);
        var missingCheckout = await Answers.OfAsync(await leader.PostAsync($"{attendance}/{Missing}/checkout", new { }), Missing);
        missingCheckout.ShouldStartWith("404 ");
        (await Answers.OfAsync(await leader.PostAsync($"{attendance}/{church.Outsider}/checkout", new { }), church.Outsider)).ShouldBe(missingCheckout);
        (await Answers.OfAsync(await leader.DeleteAsync($"{attendance}/{church.Outsider}"), church.Outsider))
            .ShouldBe(await Answers.OfAsync(await leader.DeleteAsync($"{attendance}/{Missing}"), Missing));
        (await leader.PostAsync($"{attendance}/{church.Mary}/checkout", new { })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var all = await church.Admin.GetJsonAsync(attendance);
        all["totalCount"]!.GetValue<int>().ShouldBe(2, "Mary and the outsider; Martha's bulk check-in was refused whole");
        all["items"]!.AsArray().Single(i => i!["personId"]!.GetValue<long>() == church.Outsider)!["checkedOutAt"].ShouldBeNull();

        // Counts name nobody and stay whole-church numbers (as each service's own attendance count does).
        var counts = await leader.GetAsync("/api/v1/attendance/counts");
        var row = JsonNode.Parse(await counts.Content.ReadAsStringAsync())!.AsArray().Single(r => r!["serviceId"]!.GetValue<long>() == church.Service)!;
        row["checkedIn"]!.GetValue<int>().ShouldBe(2);
    }

    [Fact]
    public async Task A_leader_cannot_read_notes_even_of_their_own_groups_people()
    {
        var church = await ChurchAsync();
        var leader = await LeaderAsync(church);

        await (await leader.GetAsync($"/api/v1/people/{church.Mary}/notes")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await leader.GetAsync($"/api/v1/notes/{church.NoteId}")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await leader.PostAsync($"/api/v1/people/{church.Mary}/notes", new { text = "Hello", visibility = "staff" }))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_leader_not_linked_to_a_person_sees_nobody_and_no_group()
    {
        var church = await ChurchAsync();
        var leader = await LeaderAsync(church, linked: false);

        (await leader.GetJsonAsync("/api/v1/people"))["totalCount"]!.GetValue<int>().ShouldBe(0);
        (await leader.GetJsonAsync("/api/v1/groups?includeArchived=true"))["totalCount"]!.GetValue<int>().ShouldBe(0);
        (await leader.GetJsonAsync($"/api/v1/services/{church.Service}/attendance"))["totalCount"]!.GetValue<int>().ShouldBe(0);
        foreach (var id in new[] { church.Lead, church.Mary })
        {
            (await Answers.OfAsync(await leader.GetAsync($"/api/v1/people/{id}"), id))
                .ShouldBe(await Answers.OfAsync(await leader.GetAsync($"/api/v1/people/{Missing}"), Missing));
        }
        (await leader.GetAsync($"/api/v1/groups/{church.Home}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await leader.PostAsync($"/api/v1/services/{church.Service}/attendance", new { personId = church.Mary }))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private async Task<long> BadgeTypeAsync(Church church) =>
        (await church.Admin.GetJsonAsync("/api/v1/badge-types"))["items"]!.AsArray().Single()!["id"]!.GetValue<long>();

    private static long[] Ids(JsonObject page) => [.. page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<long>())];

    private static string Url(string template, long id) => template.Replace("{0}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
}

internal static partial class Answers
{
    /// <summary>The status and body, with the id asked about and the per-request trace id taken out, to compare answers.</summary>
    public static async Task<string> OfAsync(HttpResponseMessage response, long id)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            text = TraceId().Replace(text, "");
            // Only where an id stands: after a slash or a space ("/people/5", "with id 5"), not inside "section-15.5.5".
            text = Regex.Replace(text, $@"(?<=[/ ]){id}\b", "{id}");
            return $"{(int)response.StatusCode} {text}";
        }
    }

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();
}
