using System.Net;
using Microsoft.EntityFrameworkCore;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Api;

public sealed class TextSafetySqliteTests(SqliteApp app) : TextSafetyTests<SqliteApp>(app);

public sealed class TextSafetyPostgresTests(PostgresApp app) : TextSafetyTests<PostgresApp>(app);

/// <summary>Text no database can store (found by the fuzz test: PostgreSQL refuses NUL) is a 400 at the edge, not a 500.</summary>
public abstract class TextSafetyTests<TApp>(TApp app) where TApp : ShepherdApp
{
    [Theory]
    [InlineData("""{"name":"North\u0000Campus"}""")]
    [InlineData("""{"name":"North \uD800 Campus"}""")]
    public async Task A_body_string_with_a_nul_or_a_broken_surrogate_is_refused(string body)
    {
        using var api = await app.NewOrganizationAsync();

        using var response = await api.SendRawAsync(HttpMethod.Post, "/api/v1/campuses", body);

        await response.ShouldBeValidationProblemAsync("name");
        await using var db = app.Database(api.OrganizationId);
        (await db.Campuses.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task A_query_string_with_a_nul_is_refused()
    {
        using var api = await app.NewOrganizationAsync();

        using var response = await api.GetAsync("/api/v1/people?q=ab%00cd");

        await response.ShouldBeValidationProblemAsync("q");
    }

    [Fact]
    public async Task Ordinary_unicode_is_kept_exactly()
    {
        using var api = await app.NewOrganizationAsync();

        var created = await api.CreateAsync("/api/v1/campuses", new { name = "Église Saint-Jean 🙏🏽 東京" });

        created["name"]!.GetValue<string>().ShouldBe("Église Saint-Jean 🙏🏽 東京");
    }
}
