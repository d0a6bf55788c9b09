using System.Net;
using System.Net.Http.Headers;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Api;

public sealed class AuthenticationTests(SqliteApp app)
{
    [Theory]
    [InlineData(null)]
    [InlineData("Bearer ")]
    [InlineData("Bearer shp_not-a-real-token")]
    [InlineData("Bearer not-even-the-format")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task The_api_answers_401_without_a_valid_token(string? authorization)
    {
        using var client = app.CreateClient();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.GetAsync("/api/v1/campuses");

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldContain("Bearer");
    }

    [Fact]
    public async Task A_read_only_token_can_read_but_not_write()
    {
        using var api = await app.NewOrganizationAsync([ApiScopes.Read]);

        (await api.GetAsync("/api/v1/campuses")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await api.PostAsync("/api/v1/campuses", new { name = "North" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_health_endpoint_is_public_and_reports_status_and_version()
    {
        using var client = app.CreateClient();

        var health = await client.GetStringAsync("/api/health");

        health.ShouldContain("\"status\":\"Healthy\"");
        health.ShouldContain("\"version\":");
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api()
    {
        using var client = app.CreateClient();

        var document = await client.GetStringAsync("/openapi/v1.json");

        document.ShouldContain("/api/v1/campuses");
        document.ShouldContain("\"scheme\": \"bearer\"");
    }

    [Fact]
    public async Task Tokens_are_stored_only_as_hashes()
    {
        using var api = await app.NewOrganizationAsync();
        await using var db = app.Database(api.OrganizationId);

        var stored = db.ApiTokens.Single();

        stored.TokenHash.ShouldBe(TokenHasher.Hash(api.Token));
        stored.TokenHash.ShouldNotContain(api.Token[4..]);
        api.Http.DefaultRequestHeaders.Authorization.ShouldBe(new AuthenticationHeaderValue("Bearer", api.Token));
    }
}
