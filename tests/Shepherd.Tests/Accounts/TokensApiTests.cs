using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Web;
using Shouldly;

namespace Shepherd.Tests.Accounts;

public sealed class TokensApiSqliteTests(SqliteApp app) : TokensApiTests<SqliteApp>(app);

public sealed class TokensApiPostgresTests(PostgresApp app) : TokensApiTests<PostgresApp>(app);

/// <summary>
/// /api/v1/tokens: a token is shown once, works as a bearer, is listed without its secret, stops at revocation and at
/// expiry; nobody grants more than they hold; other members' and other organizations' tokens stay out of reach.
/// </summary>
public abstract class TokensApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    private static readonly string[] ReadOnly = [ApiScopes.Read];
    private static readonly string[] ReadWrite = [ApiScopes.Read, ApiScopes.Write];
    private static readonly string[] MonitoringOnly = [ApiScopes.Monitoring];

    private HttpClient Bearer(string token)
    {
        var http = app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<JsonArray> ListAsync(ApiClient client, string query = "")
    {
        using var response = await client.GetAsync("/api/v1/tokens" + query);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsArray();
    }

    [Fact]
    public async Task A_token_is_shown_once_works_as_a_bearer_is_listed_without_its_secret_and_gets_401_once_revoked()
    {
        using var admin = await app.NewOrganizationAsync();

        var created = await admin.CreateAsync("/api/v1/tokens", new { name = "Website sync", scopes = ReadOnly, expiresInDays = 30 });
        var token = created["token"]!.GetValue<string>();
        var id = created["id"]!.GetValue<long>();
        token.ShouldStartWith("shp_");
        created["prefix"]!.GetValue<string>().ShouldBe(token[..10]);
        created["scopes"]!.AsArray().Select(s => s!.GetValue<string>()).ShouldBe(["read"]);
        (created["expiresAt"]!.GetValue<DateTimeOffset>() - created["createdAt"]!.GetValue<DateTimeOffset>()).ShouldBe(TimeSpan.FromDays(30));

        using (var bearer = Bearer(token))
        {
            (await bearer.GetAsync("/api/v1/people")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await bearer.PostAsync("/api/v1/families", JsonContent(new { name = "Not with read" }))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        using (var listed = await admin.GetAsync("/api/v1/tokens"))
        {
            var text = await listed.Content.ReadAsStringAsync();
            text.ShouldNotContain(token);
            text.ShouldNotContain(TokenHasher.Hash(token));
            text.ShouldNotContain("hash", Case.Insensitive);
            var row = JsonNode.Parse(text)!.AsArray().Single(t => t!["id"]!.GetValue<long>() == id)!;
            row["name"]!.GetValue<string>().ShouldBe("Website sync");
            row["prefix"]!.GetValue<string>().ShouldBe(token[..10]);
            row["lastUsedAt"].ShouldNotBeNull("the bearer call above was its first use");
            row["revokedAt"].ShouldBeNull();
            row["ownerEmail"]!.GetValue<string>().ShouldBe(admin.AdminEmail);
        }

        using (var revoked = await admin.DeleteAsync($"/api/v1/tokens/{id}"))
        {
            revoked.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }
        using (var bearer = Bearer(token))
        {
            (await bearer.GetAsync("/api/v1/people")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        (await ListAsync(admin)).Single(t => t!["id"]!.GetValue<long>() == id)!["revokedAt"].ShouldNotBeNull();
        (await admin.DeleteAsync($"/api/v1/tokens/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent, "revoking twice changes nothing");

        await using var db = app.Database(admin.OrganizationId);
        var entries = await db.AuditEntries.Where(a => a.EntityType == "ApiToken" && a.EntityId == id.ToString(System.Globalization.CultureInfo.InvariantCulture)
            && (a.Action == AuditAction.TokenCreated || a.Action == AuditAction.TokenRevoked)).OrderBy(a => a.Id).ToListAsync();
        entries.Select(a => a.Action).ShouldBe([AuditAction.TokenCreated, AuditAction.TokenRevoked]);
        entries.ShouldAllBe(a => a.Actor.StartsWith(admin.AdminEmail));
        entries[0].Changes!.ShouldContain("Website sync");
        entries[0].Changes!.ShouldContain("read");
        foreach (var text in await db.AuditEntries.Select(a => a.Changes ?? "").ToListAsync())
        {
            text.ShouldNotContain(token);
            text.ShouldNotContain(TokenHasher.Hash(token));
        }
    }

    [Fact]
    public async Task An_expired_token_gets_401_and_expiry_outside_one_day_to_ten_years_is_refused()
    {
        using var admin = await app.NewOrganizationAsync();
        var created = await admin.CreateAsync("/api/v1/tokens", new { name = "Short", scopes = ReadOnly, expiresInDays = 1 });
        var token = created["token"]!.GetValue<string>();
        using var bearer = Bearer(token);
        (await bearer.GetAsync("/api/v1/services")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await using (var db = app.Database(admin.OrganizationId))
        {
            var id = created["id"]!.GetValue<long>();
            var past = app.Services.GetRequiredService<TimeProvider>().GetUtcNow().AddSeconds(-1);
            await db.ApiTokens.Where(t => t.Id == id).ExecuteUpdateAsync(t => t.SetProperty(x => x.ExpiresAt, past));
        }
        (await bearer.GetAsync("/api/v1/services")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        foreach (var days in new[] { 0, -1, 3651, int.MaxValue })
        {
            await (await admin.PostAsync("/api/v1/tokens", new { name = "Bad expiry", scopes = ReadOnly, expiresInDays = days }))
                .ShouldBeValidationProblemAsync("expiresInDays");
        }
        var forever = await admin.CreateAsync("/api/v1/tokens", new { name = "Forever", scopes = ReadOnly, expiresInDays = (int?)null });
        forever["expiresAt"].ShouldBeNull();
    }

    [Fact]
    public async Task Nobody_grants_a_scope_they_do_not_hold_and_monitoring_only_a_platform_administrator_grants()
    {
        using var admin = await app.NewOrganizationAsync(platformAdministrator: true);
        using var churchAdmin = await app.NewMemberAsync(admin.OrganizationId, OrganizationRole.Administrator);
        using var readOnly = await app.NewMemberAsync(admin.OrganizationId, OrganizationRole.Administrator, scopes: [ApiScopes.Read]);
        using var writeOnly = await app.NewMemberAsync(admin.OrganizationId, OrganizationRole.Administrator, scopes: [ApiScopes.Write]);
        using var staff = await app.NewMemberAsync(admin.OrganizationId, OrganizationRole.Staff);
        var before = await CountAsync(admin.OrganizationId);

        await (await readOnly.PostAsync("/api/v1/tokens", new { name = "Escalate", scopes = ReadWrite })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await readOnly.PostAsync("/api/v1/tokens", new { name = "Same", scopes = ReadOnly })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await (await writeOnly.PostAsync("/api/v1/tokens", new { name = "Escalate", scopes = ReadOnly })).ShouldBeValidationProblemAsync("scopes"))
            .ToJsonString().ShouldContain("read");
        await (await staff.PostAsync("/api/v1/tokens", new { name = "Metrics", scopes = MonitoringOnly })).ShouldBeValidationProblemAsync("scopes");
        (await (await churchAdmin.PostAsync("/api/v1/tokens", new { name = "Metrics", scopes = MonitoringOnly })).ShouldBeValidationProblemAsync("scopes"))
            .ToJsonString().ShouldContain("platform administrator", customMessage: "monitoring shows every organization on the instance");
        foreach (var scopes in new[] { Array.Empty<string>(), ["admin"], ["READ"], ["read", "root"] })
        {
            await (await admin.PostAsync("/api/v1/tokens", new { name = "Odd scopes", scopes })).ShouldBeValidationProblemAsync("scopes");
        }
        foreach (var name in new[] { "", "   ", new string('n', 101), "tab\tname" })
        {
            await (await admin.PostAsync("/api/v1/tokens", new { name, scopes = ReadOnly })).ShouldBeValidationProblemAsync("name");
        }
        (await CountAsync(admin.OrganizationId)).ShouldBe(before, "refused requests create no token");

        var monitoring = await admin.CreateAsync("/api/v1/tokens", new { name = "Prometheus", scopes = MonitoringOnly });
        using var scraper = Bearer(monitoring["token"]!.GetValue<string>());
        (await scraper.GetAsync("/api/monitoring/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await scraper.GetAsync("/api/v1/people")).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "monitoring reads no data");
        var staffToken = await staff.CreateAsync("/api/v1/tokens", new { name = "Staff script", scopes = ReadWrite });
        staffToken["scopes"]!.AsArray().Select(s => s!.GetValue<string>()).ShouldBe(["read", "write"]);
    }

    [Fact]
    public async Task Members_see_and_revoke_only_their_own_tokens_and_administrators_every_members()
    {
        using var admin = await app.NewOrganizationAsync();
        using var staff = await app.NewMemberAsync(admin.OrganizationId, OrganizationRole.Staff);
        using var viewer = await app.NewMemberAsync(admin.OrganizationId, OrganizationRole.Viewer, scopes: [ApiScopes.Read]);
        var adminTokenId = (await ListAsync(admin)).Single()!["id"]!.GetValue<long>();
        var staffTokenId = (await ListAsync(staff)).Single()!["id"]!.GetValue<long>();

        // A viewer lists their own token with a read token, and may not create or revoke.
        var own = await ListAsync(viewer);
        own.Single()!["ownerEmail"]!.GetValue<string>().ShouldBe(viewer.AdminEmail);
        await (await viewer.GetAsync("/api/v1/tokens?all=true")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await staff.GetAsync("/api/v1/tokens?all=true")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        using var viewerWithWrite = await app.NewMemberAsync(admin.OrganizationId, OrganizationRole.Viewer);
        await (await viewerWithWrite.PostAsync("/api/v1/tokens", new { name = "No", scopes = ReadOnly })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await viewerWithWrite.DeleteAsync($"/api/v1/tokens/{staffTokenId}")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        // Staff: another member's token is not theirs to see or revoke.
        (await ListAsync(staff)).Select(t => t!["id"]!.GetValue<long>()).ShouldBe([staffTokenId]);
        await (await staff.DeleteAsync($"/api/v1/tokens/{adminTokenId}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await admin.GetAsync("/api/v1/people")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The administrator lists everyone's, with owners, and revokes the staff member's.
        var all = await ListAsync(admin, "?all=true");
        all.Select(t => t!["ownerEmail"]!.GetValue<string>()).ShouldBe([admin.AdminEmail, staff.AdminEmail, viewer.AdminEmail, viewerWithWrite.AdminEmail], ignoreOrder: true);
        (await admin.DeleteAsync($"/api/v1/tokens/{staffTokenId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await staff.GetAsync("/api/v1/people")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Another_organizations_token_id_is_404_and_keeps_working()
    {
        using var mine = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var theirId = (await ListAsync(theirs)).Single()!["id"]!.GetValue<long>();

        await (await mine.DeleteAsync($"/api/v1/tokens/{theirId}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await ListAsync(mine, "?all=true")).Select(t => t!["id"]!.GetValue<long>()).ShouldNotContain(theirId);
        (await theirs.GetAsync("/api/v1/people")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private async Task<int> CountAsync(long organizationId)
    {
        await using var db = app.Database(organizationId);
        return await db.ApiTokens.CountAsync();
    }

    private static System.Net.Http.Json.JsonContent JsonContent(object body) => System.Net.Http.Json.JsonContent.Create(body);
}

/// <summary>The /account/tokens page: create with the token shown once, use it, revoke it; the session grants what it holds.</summary>
public sealed class TokensPageTests(WebSqliteApp app) : IClassFixture<WebSqliteApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_signed_in_member_creates_a_token_sees_it_once_and_revokes_it_from_the_page()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var browser = app.Browser();
        using (var signedIn = await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, "correct horse battery staple"))
        {
            signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }
        (await browser.GetStringAsync(AccountModel.Path, Cancel)).ShouldContain($"href=\"{TokensModel.Path}\"");
        using (var mustSetUpTwoFactor = await browser.GetAsync(TokensModel.Path, Cancel))
        {
            mustSetUpTwoFactor.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "the organization requires two-factor for administrators: nothing else opens first");
        }
        await using (var settings = app.Database(admin.OrganizationId))
        {
            await settings.Organizations.Where(o => o.Id == admin.OrganizationId).ExecuteUpdateAsync(o => o.SetProperty(x => x.TwoFactorRequiredRoles, ""), Cancel);
        }

        var page = await browser.GetStringAsync(TokensModel.Path, Cancel);
        page.ShouldNotContain("value=\"monitoring\"", customMessage: "monitoring describes the whole instance: only platform administrators grant it");
        using var created = await browser.PostAsync(TokensModel.Path + "?handler=Create", WebForms.Form(page, new()
        {
            ["Name"] = "<script>alert(1)</script>",
            ["Scopes"] = "read",
            ["ExpiresInDays"] = "7",
        }), Cancel);
        var html = await created.Content.ReadAsStringAsync(Cancel);
        created.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        html.ShouldNotContain("<script>alert(1)</script>");
        var token = System.Text.RegularExpressions.Regex.Match(html, "value=\"(shp_[^\"]+)\"").Groups[1].Value;
        token.ShouldStartWith("shp_");

        using (var bearer = app.CreateClient())
        {
            bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await bearer.GetAsync("/api/v1/people", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        var again = await browser.GetStringAsync(TokensModel.Path, Cancel);
        again.ShouldNotContain(token, customMessage: "the token is shown only once");
        again.ShouldContain(token[..10]);

        await using var db = app.Database(admin.OrganizationId);
        var id = await db.ApiTokens.Where(t => t.Prefix == token.Substring(0, 10)).Select(t => t.Id).SingleAsync(Cancel);
        using var revoked = await browser.PostAsync(TokensModel.Path + "?handler=Revoke", WebForms.Form(again, new() { ["id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture) }), Cancel);
        (await revoked.Content.ReadAsStringAsync(Cancel)).ShouldContain("revoked");
        using (var bearer = app.CreateClient())
        {
            bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await bearer.GetAsync("/api/v1/people", Cancel)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        (await db.AuditEntries.CountAsync(a => a.Action == AuditAction.TokenCreated && a.EntityId == id.ToString(System.Globalization.CultureInfo.InvariantCulture), Cancel)).ShouldBe(1);
    }
}
