using System.Net;
using System.Text.Json.Nodes;
using Shepherd.Data.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Api;

public sealed class CheckInSearchApiSqliteTests(SqliteApp app) : CheckInSearchApiTests<SqliteApp>(app);

public sealed class CheckInSearchApiPostgresTests(PostgresApp app) : CheckInSearchApiTests<PostgresApp>(app);

/// <summary>/api/v1/checkin/families: what a kiosk volunteer finds a family with, and only what check-in needs.</summary>
public abstract class CheckInSearchApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    private const string Path = "/api/v1/checkin/families";

    private static async Task<long> PersonAsync(ApiClient api, string first, string last, string? birthDate = null, string? phone = null, string? preferred = null) =>
        (await api.CreateAsync("/api/v1/people", new
        {
            firstName = first,
            lastName = last,
            preferredName = preferred,
            birthDate,
            emails = phone is null ? null : new[] { new { address = $"{first.ToLowerInvariant()}@example.org" } },
            phones = phone is null ? null : new[] { new { number = phone } },
        }))["id"]!.GetValue<long>();

    private async Task<(ApiClient Admin, ApiClient Kiosk, long FamilyId, string Surname)> FamilyAsync()
    {
        var admin = await app.NewOrganizationAsync();
        var surname = $"Kiosk{Guid.NewGuid():N}"[..14];
        var mum = await PersonAsync(admin, "Mara", surname, "1985-02-03", phone: "+1 (555) 010-4321");
        var older = await PersonAsync(admin, "Joshua", surname, "2016-06-01", preferred: "Josh");
        var younger = await PersonAsync(admin, "Lena", surname, "2020-09-15");
        var family = await admin.CreateAsync("/api/v1/families", new
        {
            name = $"{surname} family",
            homePhone = "555 777 0000",
            address = new { street1 = "12 Hidden Lane", city = "Springfield" },
            members = new object[] { new { personId = younger, role = "child" }, new { personId = mum, role = "adult" }, new { personId = older, role = "child" } },
            authorizedPickups = new object[] { new { name = "Grandpa Ivo", relationship = "grandfather", phone = "555 888 1111" } },
        });
        var kiosk = await app.NewMemberAsync(admin.OrganizationId, OrganizationRole.CheckInVolunteer, scopes: ["read", "write"]);
        return (admin, kiosk, family["id"]!.GetValue<long>(), surname);
    }

    [Fact]
    public async Task A_volunteer_finds_a_family_by_the_last_phone_digits_with_names_roles_ages_and_pickups_only()
    {
        var (admin, kiosk, familyId, surname) = await FamilyAsync();
        using (admin)
        using (kiosk)
        {
            using var response = await kiosk.GetAsync($"{Path}?q=4321");
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            var found = JsonNode.Parse(text)!.AsArray();

            var family = found.Single(f => f!["id"]!.GetValue<long>() == familyId)!;
            family["name"]!.GetValue<string>().ShouldBe($"{surname} family");
            var members = family["members"]!.AsArray();
            members.Select(m => m!["firstName"]!.GetValue<string>()).ShouldBe(["Mara", "Josh", "Lena"], "adults first, then children oldest first, by the name they go by");
            members.Select(m => m!["role"]!.GetValue<string>()).ShouldBe(["adult", "child", "child"]);
            members[2]!["age"]!.GetValue<int>().ShouldBeInRange(5, 7);
            family["pickups"]!.AsArray().Single()!["name"]!.GetValue<string>().ShouldBe("Grandpa Ivo");
            foreach (var secret in new[] { "555", "4321", "Hidden Lane", "@example.org", "2020-09-15", "Springfield", "birthDate", "phone" })
            {
                text.ShouldNotContain(secret, Case.Insensitive, "the kiosk gets no contact details, addresses or birth dates");
            }
        }
    }

    [Fact]
    public async Task A_family_is_found_by_part_of_its_name_and_never_from_another_organization()
    {
        var (admin, kiosk, familyId, surname) = await FamilyAsync();
        using var otherKiosk = await app.NewOrganizationAsync();
        // Another church's kiosk, whose own family shares nothing with this one.
        using (admin)
        using (kiosk)
        {
            var found = JsonNode.Parse(await (await kiosk.GetAsync($"{Path}?q={surname[..10].ToUpperInvariant()}")).Content.ReadAsStringAsync())!.AsArray();
            found.Select(f => f!["id"]!.GetValue<long>()).ShouldBe([familyId]);

            var elsewhere = JsonNode.Parse(await (await otherKiosk.GetAsync($"{Path}?q={surname}")).Content.ReadAsStringAsync())!.AsArray();
            elsewhere.ShouldBeEmpty();
            (await otherKiosk.Http.GetStringAsync($"{Path}?q=4321")).ShouldNotContain(surname);
        }
    }

    [Fact]
    public async Task An_archived_family_is_not_offered_at_the_kiosk()
    {
        var (admin, kiosk, familyId, surname) = await FamilyAsync();
        using (admin)
        using (kiosk)
        {
            (await admin.PostAsync($"/api/v1/families/{familyId}/archive", new { })).IsSuccessStatusCode.ShouldBeTrue();
            JsonNode.Parse(await (await kiosk.GetAsync($"{Path}?q={surname}")).Content.ReadAsStringAsync())!.AsArray().ShouldBeEmpty();
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("123")]
    [InlineData("(55)")]
    public async Task A_search_too_short_to_be_useful_is_refused_naming_q(string q)
    {
        using var admin = await app.NewOrganizationAsync();
        using var kiosk = await app.NewMemberAsync(admin.OrganizationId, OrganizationRole.CheckInVolunteer);
        (await (await kiosk.GetAsync($"{Path}?q={Uri.EscapeDataString(q)}")).ShouldBeValidationProblemAsync("q"))
            .ToJsonString().ShouldContain("last 4 or more digits");
        await (await kiosk.GetAsync($"{Path}?q={new string('x', 51)}")).ShouldBeValidationProblemAsync("q");
        await (await kiosk.GetAsync(Path)).ShouldBeValidationProblemAsync("q");
    }

    [Fact]
    public async Task A_viewer_may_not_use_the_kiosk_search()
    {
        using var admin = await app.NewOrganizationAsync();
        using var viewer = await app.NewMemberAsync(admin.OrganizationId, OrganizationRole.Viewer);
        (await viewer.GetAsync($"{Path}?q=4321")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
