using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Accounts;

public sealed class MembersApiSqliteTests(SqliteApp app) : MembersApiTests<SqliteApp>(app);

public sealed class MembersApiPostgresTests(PostgresApp app) : MembersApiTests<PostgresApp>(app);

/// <summary>/api/v1/invitations and /api/v1/members on each provider (this app sends no mail: the link comes back instead).</summary>
public abstract class MembersApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    private const string Password = "correct horse battery staple";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static readonly (string Method, string Path)[] Endpoints =
    [
        ("POST", "/api/v1/invitations"), ("GET", "/api/v1/invitations"), ("DELETE", "/api/v1/invitations/{id}"),
        ("GET", "/api/v1/members"), ("PUT", "/api/v1/members/{id}"), ("DELETE", "/api/v1/members/{id}"),
    ];

    [Fact]
    public async Task Without_mail_an_invitation_is_created_listed_and_revoked_and_its_link_is_returned_once()
    {
        using var api = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var email = $"Invitee-{Guid.NewGuid():N}@Example.org";

        var created = await api.CreateAsync("/api/v1/invitations", new { email, role = "staff" });

        created["emailSent"]!.GetValue<bool>().ShouldBeFalse();
        created["mailProblem"]!.GetValue<string>().ShouldContain("cannot send e-mail");
        created["link"]!.GetValue<string>().ShouldStartWith("/invite?code=");
        created["email"]!.GetValue<string>().ShouldBe(email.ToLowerInvariant());
        created["role"]!.GetValue<string>().ShouldBe("staff");
        var listed = await ListAsync(api, "/api/v1/invitations");
        listed.Select(i => i["id"]!.GetValue<long>()).ShouldBe([created["id"]!.GetValue<long>()]);
        listed[0].ContainsKey("link").ShouldBeFalse();
        await using (var db = app.Database(api.OrganizationId))
        {
            (await db.AuditEntries.CountAsync(a => a.Action == AuditAction.MemberInvited, Cancel)).ShouldBe(1);
        }

        using var revoked = await api.DeleteAsync($"/api/v1/invitations/{created["id"]}");
        revoked.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await ListAsync(api, "/api/v1/invitations")).ShouldBeEmpty();
        using var browser = app.CreateClient();
        (await browser.GetStringAsync(created["link"]!.GetValue<string>(), Cancel)).ShouldContain("was withdrawn");
    }

    [Theory]
    [InlineData("not-an-address", "staff", "email")]
    [InlineData("Name <a@example.org>", "staff", "email")]
    [InlineData("", "staff", "email")]
    [InlineData("a@example.org", "pope", "role")]
    [InlineData("a@example.org", "0", "role")]
    [InlineData("a@example.org", null, "role")]
    public async Task A_bad_invitation_names_the_field(string email, string? role, string field)
    {
        using var api = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var response = await api.PostAsync("/api/v1/invitations", new { email, role });
        await response.ShouldBeValidationProblemAsync(field);
    }

    [Fact]
    public async Task Inviting_an_existing_member_is_a_conflict()
    {
        using var api = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var response = await api.PostAsync("/api/v1/invitations", new { email = api.AdminEmail.ToUpperInvariant(), role = "viewer" });
        (await response.ShouldBeProblemAsync(HttpStatusCode.Conflict))["detail"]!.GetValue<string>().ShouldContain("already a member");
    }

    [Fact]
    public async Task The_last_administrator_cannot_be_demoted_or_removed_but_one_of_two_can()
    {
        using var api = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var me = await UserIdAsync(api, api.AdminEmail);

        using (var demote = await api.PutAsync($"/api/v1/members/{me}", new { role = "viewer" }))
        {
            (await demote.ShouldBeProblemAsync(HttpStatusCode.Conflict))["detail"]!.GetValue<string>().ShouldContain("last administrator");
        }
        using (var remove = await api.DeleteAsync($"/api/v1/members/{me}"))
        {
            (await remove.ShouldBeProblemAsync(HttpStatusCode.Conflict))["detail"]!.GetValue<string>().ShouldContain("last administrator");
        }

        var second = await AddAdministratorAsync(api);
        var updated = await PutOkAsync(api, second.UserId, new { role = "viewer", pastoral = true });
        updated["role"]!.GetValue<string>().ShouldBe("viewer");
        updated["pastoral"]!.GetValue<bool>().ShouldBeTrue();
        await using var db = app.Database(api.OrganizationId);
        var change = await db.AuditEntries.SingleAsync(a => a.Action == AuditAction.RoleChanged, Cancel);
        change.EntityId.ShouldBe(second.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        JsonNode.Parse(change.Changes!)!["role"]!.ToJsonString().ShouldBe("""{"from":"administrator","to":"viewer"}""");
        using var lastAgain = await api.PutAsync($"/api/v1/members/{me}", new { role = "staff" });
        await lastAgain.ShouldBeProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Members_are_listed_and_a_person_of_this_organization_can_be_linked()
    {
        using var api = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var other = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var second = await AddAdministratorAsync(api);
        var person = (await api.CreateAsync("/api/v1/people", new { firstName = "Phoebe", lastName = "Cenchreae" }))["id"]!.GetValue<long>();
        var foreign = (await other.CreateAsync("/api/v1/people", new { firstName = "Other", lastName = "Church" }))["id"]!.GetValue<long>();

        (await PutOkAsync(api, second.UserId, new { role = "staff", personId = person }))["personId"]!.GetValue<long>().ShouldBe(person);
        using var foreignPerson = await api.PutAsync($"/api/v1/members/{second.UserId}", new { role = "staff", personId = foreign });
        await foreignPerson.ShouldBeValidationProblemAsync("personId");
        using var badRole = await api.PutAsync($"/api/v1/members/{second.UserId}", new { role = "bishop" });
        await badRole.ShouldBeValidationProblemAsync("role");

        var members = await ListAsync(api, "/api/v1/members");
        members.Select(m => m["email"]!.GetValue<string>()).ShouldBe(new[] { api.AdminEmail, second.Email }.Order(StringComparer.Ordinal));
        var row = members.Single(m => m["userId"]!.GetValue<long>() == second.UserId);
        row["role"]!.GetValue<string>().ShouldBe("staff");
        row["personId"]!.GetValue<long>().ShouldBe(person);
        row.ContainsKey("lastSignInAt").ShouldBeTrue();
    }

    [Fact]
    public async Task Removing_a_member_revokes_their_tokens_here_and_is_recorded()
    {
        using var api = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var second = await AddAdministratorAsync(api);
        using var theirs = app.CreateClient();
        theirs.DefaultRequestHeaders.Authorization = new("Bearer", second.Token);
        (await theirs.GetAsync("/api/v1/people", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var removed = await api.DeleteAsync($"/api/v1/members/{second.UserId}");

        removed.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await theirs.GetAsync("/api/v1/people", Cancel)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await ListAsync(api, "/api/v1/members")).Count.ShouldBe(1);
        await using var db = app.Database(api.OrganizationId);
        (await db.AuditEntries.CountAsync(a => a.Action == AuditAction.MemberRemoved && a.EntityId == second.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture), Cancel)).ShouldBe(1);
        (await db.ApiTokens.Where(t => t.UserId == second.UserId).AllAsync(t => t.RevokedAt != null, Cancel)).ShouldBeTrue();
    }

    [Fact]
    public async Task A_viewer_token_is_refused_every_members_and_invitations_endpoint()
    {
        using var api = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var viewer = await AddAdministratorAsync(api);
        await PutOkAsync(api, viewer.UserId, new { role = "viewer" });
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", viewer.Token);
        var invitation = (await api.CreateAsync("/api/v1/invitations", new { email = $"v-{Guid.NewGuid():N}@example.org", role = "staff" }))["id"]!.GetValue<long>();

        foreach (var (method, path) in Endpoints)
        {
            var url = path.Replace("{id}", (path.Contains("members", StringComparison.Ordinal) ? viewer.UserId : invitation).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (method is "POST" or "PUT")
            {
                request.Content = System.Net.Http.Json.JsonContent.Create(new { email = "x@example.org", role = "administrator" });
            }
            using var response = await client.SendAsync(request, Cancel);
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{method} {url}");
        }
        (await ListAsync(api, "/api/v1/invitations")).Count.ShouldBe(1);
        (await ListAsync(api, "/api/v1/members")).Single(m => m["userId"]!.GetValue<long>() == viewer.UserId)["role"]!.GetValue<string>().ShouldBe("viewer");
    }

    [Fact]
    public async Task Another_organizations_administrator_can_neither_see_nor_change_our_invitations_and_members()
    {
        using var a = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var b = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var invitation = (await a.CreateAsync("/api/v1/invitations", new { email = $"a-{Guid.NewGuid():N}@example.org", role = "staff" }))["id"]!.GetValue<long>();
        var member = await UserIdAsync(a, a.AdminEmail);

        (await ListAsync(b, "/api/v1/invitations")).ShouldBeEmpty();
        (await ListAsync(b, "/api/v1/members")).Select(m => m["email"]!.GetValue<string>()).ShouldBe([b.AdminEmail]);
        using var revoke = await b.DeleteAsync($"/api/v1/invitations/{invitation}");
        using var missingInvitation = await b.DeleteAsync("/api/v1/invitations/987654321");
        using var change = await b.PutAsync($"/api/v1/members/{member}", new { role = "viewer" });
        using var remove = await b.DeleteAsync($"/api/v1/members/{member}");
        using var missingMember = await b.DeleteAsync("/api/v1/members/987654321");

        var ours = await revoke.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        var none = await missingInvitation.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        ours["title"]!.GetValue<string>().ShouldBe(none["title"]!.GetValue<string>());
        (await change.ShouldBeProblemAsync(HttpStatusCode.NotFound))["title"]!.GetValue<string>().ShouldBe("Member not found");
        await remove.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await missingMember.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await ListAsync(a, "/api/v1/invitations")).Count.ShouldBe(1);
        (await ListAsync(a, "/api/v1/members")).Single()["role"]!.GetValue<string>().ShouldBe("administrator");
    }

    private static async Task<List<JsonObject>> ListAsync(ApiClient api, string url)
    {
        using var response = await api.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return [.. JsonNode.Parse(text)!.AsArray().Select(n => n!.AsObject())];
    }

    private static async Task<JsonObject> PutOkAsync(ApiClient api, long userId, object body)
    {
        using var response = await api.PutAsync($"/api/v1/members/{userId}", body);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task<long> UserIdAsync(ApiClient api, string email) =>
        (await ListAsync(api, "/api/v1/members")).Single(m => m["email"]!.GetValue<string>() == email)["userId"]!.GetValue<long>();

    /// <summary>A second administrator of the organization (the shell's way), with an API token of their own.</summary>
    private async Task<(long UserId, string Email, string Token)> AddAdministratorAsync(ApiClient api)
    {
        var email = $"second-{Guid.NewGuid():N}@example.org";
        string organization;
        await using (var db = app.Database(api.OrganizationId))
        {
            organization = await db.Organizations.Where(o => o.Id == api.OrganizationId).Select(o => o.Name).SingleAsync(Cancel);
        }
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AdministratorSetup>().CreateAsync(email, Password, organization, Cancel);
        await using var tokenScope = app.Services.CreateAsyncScope();
        var token = await tokenScope.ServiceProvider.GetRequiredService<ApiTokenIssuer>()
            .IssueAsync(email, "tests", organization, [ApiScopes.Read, ApiScopes.Write], null, Cancel);
        return (await UserIdAsync(api, email), email, token.Token);
    }
}
