using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Accounts;
using Shepherd.Data.People;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Safety;

/// <summary>The role logic is the same on both providers (claims and policies, no SQL of its own): SQLite only.</summary>
public sealed class RoleMatrixSqliteTests(SqliteApp app) : RoleMatrixTests<SqliteApp>(app);

/// <summary>
/// Every route under /api × every role: a hand-written table says who may call what, and each cell is called with a
/// real token of a member with that role. The table is written out here, not read from the permission table in the
/// app, so a wrong grant there shows up as a failing cell here.
/// </summary>
public abstract class RoleMatrixTests<TApp>(TApp app) where TApp : ShepherdApp
{
    // A = Administrator, S = Staff, L = GroupLeader, C = CheckInVolunteer, V = Viewer; "" = no organization role.
    private const string Everyone = "ASLCV";
    private const string Nobody = "";

    private static readonly (char Letter, OrganizationRole Role)[] Roles =
    [
        ('A', OrganizationRole.Administrator), ('S', OrganizationRole.Staff), ('L', OrganizationRole.GroupLeader),
        ('C', OrganizationRole.CheckInVolunteer), ('V', OrganizationRole.Viewer),
    ];

    /// <summary>Which roles may call each route (method and pattern, constraints removed).</summary>
    private static readonly IReadOnlyDictionary<string, string> Table = new Dictionary<string, string>
    {
        // Public and instance-wide: health and the API reference for anyone; monitoring needs the monitoring scope and backups a platform
        // administrator, which no organization role gives.
        ["GET /api/health"] = Everyone,
        ["GET /api/reference/{documentName?}"] = Everyone,
        ["GET /api/reference/favicon.svg"] = Everyone,
        ["GET /api/reference/scalar.js"] = Everyone,
        ["GET /api/reference/scalar.aspnetcore.js"] = Everyone,
        ["GET /api/monitoring/health"] = Nobody,
        ["GET /api/monitoring/metrics"] = Nobody,
        ["GET /api/monitoring/performance"] = Nobody,
        ["GET /api/monitoring/errors"] = Nobody,
        ["GET /api/operations/backups"] = Nobody,
        ["POST /api/operations/backups"] = Nobody,
        ["GET /api/operations/backups/{name}"] = Nobody,
        ["POST /api/operations/backups/{name}/verify"] = Nobody,
        ["GET /api/operations/alerts/channels"] = Nobody,
        ["POST /api/operations/alerts/channels"] = Nobody,
        ["PUT /api/operations/alerts/channels/{id}"] = Nobody,
        ["DELETE /api/operations/alerts/channels/{id}"] = Nobody,
        ["POST /api/operations/alerts/channels/{id}/test"] = Nobody,
        ["GET /api/platform/organizations"] = Nobody,
        ["GET /api/operations/alerts"] = Nobody,
        ["PUT /api/operations/alerts/rules/{name}"] = Nobody,
        ["GET /api/operations/alerts/incidents"] = Nobody,
        ["POST /api/operations/alerts/incidents/{id}/acknowledge"] = Nobody,
        ["GET /api/operations/alerts/silences"] = Nobody,
        ["POST /api/operations/alerts/silences"] = Nobody,
        ["DELETE /api/operations/alerts/silences/{id}"] = Nobody,
        ["GET /api/operations/alerts/maintenance-windows"] = Nobody,
        ["POST /api/operations/alerts/maintenance-windows"] = Nobody,
        ["PUT /api/operations/alerts/maintenance-windows/{id}"] = Nobody,
        ["DELETE /api/operations/alerts/maintenance-windows/{id}"] = Nobody,
        ["POST /api/platform/organizations"] = Nobody,

        // Campuses: everyone who works with services reads them; only administrators change settings.
        ["GET /api/v1/campuses"] = Everyone,
        ["GET /api/v1/campuses/{id}"] = Everyone,
        ["POST /api/v1/campuses"] = "A",
        ["PUT /api/v1/campuses/{id}"] = "A",
        ["DELETE /api/v1/campuses/{id}"] = "A",

        // People: group leaders read and edit (their groups' people); the kiosk reads nobody.
        ["GET /api/v1/people"] = "ASLV",
        ["GET /api/v1/people/{id}"] = "ASLV",
        ["POST /api/v1/people"] = "AS",
        ["PUT /api/v1/people/{id}"] = "ASL",
        ["POST /api/v1/people/{id}/archive"] = "ASL",
        ["POST /api/v1/people/{id}/restore"] = "ASL",
        ["GET /api/v1/people/{id}/photo"] = "ASLV",
        // Merging moves history across families and groups: beyond a group leader's reach.
        ["POST /api/v1/people/{id}/merge"] = "AS",
        // Privacy tools and the audit log: administrators only.
        ["GET /api/v1/people/{id}/export"] = "A",
        ["POST /api/v1/people/{id}/erase"] = "A",
        ["GET /api/v1/audit"] = "A",
        ["GET /api/v1/audit/export"] = "A",
        // Members and invitations: administrators only.
        ["GET /api/v1/members"] = "A",
        ["PUT /api/v1/members/{userId}"] = "A",
        ["DELETE /api/v1/members/{userId}"] = "A",
        ["GET /api/v1/invitations"] = "A",
        ["POST /api/v1/invitations"] = "A",
        ["DELETE /api/v1/invitations/{id}"] = "A",
        ["PUT /api/v1/people/{id}/photo"] = "ASL",
        // API tokens: everyone lists their own (what acts in their name); administrators and staff create and revoke
        // them (staff their own only: another member's token is a 404 to them).
        ["GET /api/v1/tokens"] = Everyone,
        ["POST /api/v1/tokens"] = "AS",
        ["DELETE /api/v1/tokens/{id}"] = "AS",
        // How members sign in (local passwords on or off): an organization setting.
        ["PUT /api/v1/organization/sign-in"] = "A",

        // Families: staff's; viewers read.
        ["GET /api/v1/families"] = "ASV",
        ["GET /api/v1/families/{id}"] = "ASV",
        ["POST /api/v1/families"] = "AS",
        ["PUT /api/v1/families/{id}"] = "AS",
        ["POST /api/v1/families/{id}/archive"] = "AS",
        ["POST /api/v1/families/{id}/restore"] = "AS",
        ["POST /api/v1/families/{id}/members"] = "AS",
        ["PUT /api/v1/families/{id}/members/{personId}"] = "AS",
        ["DELETE /api/v1/families/{id}/members/{personId}"] = "AS",
        ["POST /api/v1/families/{id}/pickups"] = "AS",
        ["DELETE /api/v1/families/{id}/pickups/{pickupId}"] = "AS",

        // Groups: leaders read (the groups they lead) but do not reorganize them.
        ["GET /api/v1/groups"] = "ASLV",
        ["GET /api/v1/groups/{id}"] = "ASLV",
        ["POST /api/v1/groups"] = "AS",
        ["PUT /api/v1/groups/{id}"] = "AS",
        ["POST /api/v1/groups/{id}/archive"] = "AS",
        ["POST /api/v1/groups/{id}/restore"] = "AS",
        ["GET /api/v1/groups/{id}/members"] = "ASLV",
        ["POST /api/v1/groups/{id}/members"] = "AS",
        ["PUT /api/v1/groups/{id}/members/{personId}"] = "AS",
        ["DELETE /api/v1/groups/{id}/members/{personId}"] = "AS",

        // Services: everyone reads the schedule; staff plans it and sets the service-wide headcount.
        ["GET /api/v1/services"] = Everyone,
        ["GET /api/v1/services/{id}"] = Everyone,
        ["POST /api/v1/services"] = "AS",
        ["PUT /api/v1/services/{id}"] = "AS",
        ["DELETE /api/v1/services/{id}"] = "AS",
        ["PUT /api/v1/services/{id}/headcount"] = "AS",

        // Attendance: the kiosk checks in and out and reads nothing; leaders record their groups' attendance.
        ["GET /api/v1/services/{serviceId}/attendance"] = "ASLV",
        ["POST /api/v1/services/{serviceId}/attendance"] = "ASLC",
        ["GET /api/v1/checkin/families"] = "ASLC",
        ["POST /api/v1/services/{serviceId}/attendance/bulk"] = "ASL",
        ["POST /api/v1/services/{serviceId}/attendance/{personId}/checkout"] = "ASLC",
        ["DELETE /api/v1/services/{serviceId}/attendance/{personId}"] = "ASL",
        ["GET /api/v1/people/{personId}/attendance"] = "ASLV",
        ["GET /api/v1/attendance/counts"] = "ASLV",

        // Pastoral notes: staff and administrators only (and then by each note's visibility).
        ["GET /api/v1/people/{personId}/notes"] = "AS",
        ["POST /api/v1/people/{personId}/notes"] = "AS",
        ["GET /api/v1/notes/{id}"] = "AS",
        ["PUT /api/v1/notes/{id}"] = "AS",
        ["DELETE /api/v1/notes/{id}"] = "AS",

        // Badges: readers see them; staff awards; badge types are settings.
        ["GET /api/v1/badge-types"] = "ASLV",
        ["GET /api/v1/badge-types/{id}"] = "ASLV",
        ["GET /api/v1/badge-types/{id}/people"] = "ASLV",
        ["POST /api/v1/badge-types"] = "A",
        ["PUT /api/v1/badge-types/{id}"] = "A",
        ["DELETE /api/v1/badge-types/{id}"] = "A",
        ["GET /api/v1/people/{personId}/badges"] = "ASLV",
        ["POST /api/v1/people/{personId}/badges"] = "AS",
        ["DELETE /api/v1/people/{personId}/badges/{badgeId}"] = "AS",

        // Custom fields: their definitions go with reading people; defining them is a setting.
        ["GET /api/v1/custom-fields"] = "ASLV",
        ["GET /api/v1/custom-fields/{id}"] = "ASLV",
        ["POST /api/v1/custom-fields"] = "A",
        ["PUT /api/v1/custom-fields/{id}"] = "A",
        ["DELETE /api/v1/custom-fields/{id}"] = "A",
    };

    [Fact]
    public void Every_api_endpoint_has_a_row_in_the_role_table_and_every_row_an_endpoint()
    {
        var mapped = Discover().Select(e => e.Key).ToList();

        mapped.Where(k => !Table.ContainsKey(k))
            .ShouldBeEmpty("say in RoleMatrixTests.Table which roles may call these new endpoints");
        Table.Keys.Where(k => !mapped.Contains(k))
            .ShouldBeEmpty("these rows of RoleMatrixTests.Table name endpoints the app no longer maps");
    }

    [Fact]
    public async Task Each_role_is_refused_with_403_exactly_where_the_table_denies_it()
    {
        var world = await World.CreateAsync(app);
        var members = await MembersAsync(world);
        var failures = new List<string>();
        var cells = 0;

        // Denied roles first, so no allowed call has changed the record a refused one then points at.
        foreach (var endpoint in Discover())
        {
            var allowed = Table[endpoint.Key];
            foreach (var (letter, role) in Roles.OrderBy(r => allowed.Contains(r.Letter, StringComparison.Ordinal)))
            {
                // Only a note's author may change it (a rule per note, below the role): an allowed role changes its own note.
                var target = allowed.Contains(letter, StringComparison.Ordinal) && endpoint.Method != "GET"
                    && endpoint.Pattern.StartsWith("/api/v1/notes/", StringComparison.Ordinal)
                    ? world with { NoteId = await NoteByAsync(members[role], world) }
                    : world;
                using var response = await SendAsync(members[role], endpoint, target);
                cells++;
                var status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync();
                if (allowed.Contains(letter, StringComparison.Ordinal))
                {
                    if (status is 401 or 403 || status >= 500)
                    {
                        failures.Add($"{role} may call {endpoint} but got {status}: {Short(text)}");
                    }
                }
                else if (status != 403 || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{role} may not call {endpoint} but got {status} {response.Content.Headers.ContentType?.MediaType}: {Short(text)}");
                }
            }
        }

        failures.ShouldBeEmpty();
        cells.ShouldBe(Table.Count * Roles.Length);
    }

    [Fact]
    public async Task A_read_only_token_is_refused_every_change_and_may_make_every_read_its_role_allows()
    {
        var world = await World.CreateAsync(app);
        var readOnly = await app.NewMemberAsync(world.Api.OrganizationId, OrganizationRole.Administrator, scopes: [ApiScopes.Read]);
        var failures = new List<string>();

        foreach (var endpoint in Discover().Where(e => Table[e.Key].Contains('A', StringComparison.Ordinal)))
        {
            using var response = await SendAsync(readOnly, endpoint, world);
            var status = (int)response.StatusCode;
            if (endpoint.Method == "GET" ? status is 401 or 403 or >= 500 : status != 403)
            {
                failures.Add($"read-only token on {endpoint}: {status} {Short(await response.Content.ReadAsStringAsync())}");
            }
        }

        failures.ShouldBeEmpty();
        var unchanged = await world.Api.GetJsonAsync($"/api/v1/people/{world.AdultId}");
        unchanged["archivedAt"].ShouldBeNull();
        unchanged["firstName"]!.GetValue<string>().ShouldBe("Adult");
    }

    [Fact]
    public async Task A_removed_members_token_gets_401_and_a_changed_role_applies_to_the_next_request()
    {
        var world = await World.CreateAsync(app);
        var member = await app.NewMemberAsync(world.Api.OrganizationId, OrganizationRole.Staff);
        (await member.GetAsync("/api/v1/people")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await member.PostAsync("/api/v1/families", new { name = "Staff family" })).StatusCode.ShouldBe(HttpStatusCode.Created);

        await app.SetRoleAsync(member, OrganizationRole.Viewer);
        await (await member.PostAsync("/api/v1/families", new { name = "Viewer family" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await member.GetAsync("/api/v1/families")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await app.SetRoleAsync(member, null);
        foreach (var url in new[] { "/api/v1/people", $"/api/v1/people/{world.AdultId}", "/api/v1/services" })
        {
            using var response = await member.GetAsync(url);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, url);
        }
        using var write = await member.PostAsync("/api/v1/people", new { firstName = "Not", lastName = "Allowed" });
        write.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await world.Api.GetJsonAsync("/api/v1/people?q=allowed"))["totalCount"]!.GetValue<int>().ShouldBe(0);
    }

    [Fact]
    public async Task A_check_in_volunteer_never_receives_an_email_phone_or_address_from_any_route_they_may_call()
    {
        var world = await World.CreateAsync(app);
        var (email, phone, street) = ($"{world.Marker}@example.org", "555 0199 " + world.Marker[2..6], $"{world.Marker} Street 7");
        await using (var db = app.Database(world.Api.OrganizationId))
        {
            var adult = await db.People.Include(p => p.Phones).SingleAsync(p => p.Id == world.AdultId);
            adult.Phones.Add(new PersonPhone { Number = phone, Digits = PersonPhone.DigitsOf(phone), IsPrimary = true });
            adult.Address = adult.Address with { Street1 = street, City = "Bethlehem" };
            adult.RefreshSearchColumns();
            await db.SaveChangesAsync();
        }
        var volunteer = await app.NewMemberAsync(world.Api.OrganizationId, OrganizationRole.CheckInVolunteer);
        var viewer = await app.NewMemberAsync(world.Api.OrganizationId, OrganizationRole.Viewer);

        // The control: a role that may read contact details does see all three.
        var seen = await (await viewer.GetAsync($"/api/v1/people/{world.AdultId}")).Content.ReadAsStringAsync();
        seen.ShouldContain(email);
        seen.ShouldContain(phone);
        seen.ShouldContain(street);

        var reachable = Discover().Where(e => Table[e.Key].Contains('C', StringComparison.Ordinal)).ToList();
        reachable.Count(e => e.Method == "POST").ShouldBe(2, "check-in and check-out");
        foreach (var endpoint in reachable)
        {
            using var response = await SendAsync(volunteer, endpoint, world);
            var text = await response.Content.ReadAsStringAsync();
            ((int)response.StatusCode).ShouldBeLessThan(300, $"{endpoint}: {text}");
            text.ShouldNotContain(email, Case.Insensitive, endpoint.Key);
            text.ShouldNotContain(phone, Case.Insensitive, endpoint.Key);
            text.ShouldNotContain(PersonPhone.DigitsOf(phone), Case.Insensitive, endpoint.Key);
            text.ShouldNotContain(street, Case.Insensitive, endpoint.Key);
        }
    }

    /// <summary>One member per role in the world's organization; the group leader is the adult who leads the world's group.</summary>
    private async Task<Dictionary<OrganizationRole, ApiClient>> MembersAsync(World world)
    {
        var members = new Dictionary<OrganizationRole, ApiClient>();
        foreach (var (_, role) in Roles)
        {
            members[role] = await app.NewMemberAsync(world.Api.OrganizationId, role, role == OrganizationRole.GroupLeader ? world.AdultId : null);
        }
        return members;
    }

    private static async Task<long> NoteByAsync(ApiClient author, World world) =>
        (await author.CreateAsync($"/api/v1/people/{world.AdultId}/notes", new { text = "Prayed together.", visibility = "staff" }))["id"]!.GetValue<long>();

    private static Task<HttpResponseMessage> SendAsync(ApiClient client, ApiEndpoint endpoint, World world)
    {
        var body = ApiCatalogue.Bodies.TryGetValue(endpoint.Key, out var make) ? make(world) : null;
        var url = endpoint.Pattern.StartsWith("/api/v1/", StringComparison.Ordinal)
            ? ApiCatalogue.Url(endpoint, world)
            : endpoint.Parameters.Aggregate(endpoint.Pattern, (u, p) => u.Replace($"{{{p}}}", "missing", StringComparison.Ordinal));
        return ApiProbe.SendAsync(client, endpoint.Method, url, body);
    }

    /// <summary>Every endpoint the running app maps under /api/, constraints removed as in <see cref="ApiCatalogue"/>.</summary>
    private List<ApiEndpoint> Discover() =>
    [
        .. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => new ApiEndpoint(m, Regex.Replace(e.RoutePattern.RawText!.TrimEnd('/'), @"\{(\w+)(:[^}]*)?\}", "{$1}"))))
            .Distinct()
            .OrderBy(e => e.Pattern, StringComparer.Ordinal).ThenBy(e => e.Method, StringComparer.Ordinal),
    ];

    private static string Short(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
