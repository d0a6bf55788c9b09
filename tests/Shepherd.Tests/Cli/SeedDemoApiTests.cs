using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Shepherd.Tests.Cli;

/// <summary>The shell workflow of a new church: administrator, demo data, token, then the API serves the seeded organization.</summary>
public abstract class SeedDemoApiTests
{
    protected abstract Task<CliDatabase> NewDatabaseAsync();

    [Fact]
    public async Task Seed_demo_fills_the_administrators_organization_and_the_api_counts_match_the_database()
    {
        await using var db = await NewDatabaseAsync();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        var admin = await db.RunAsync("admin", "create", "--email", "admin@demo.example", "--password", "correct horse battery", "--organization", "Demo Church");
        admin.ExitCode.ShouldBe(0, admin.ToString());

        var seeded = await db.RunAsync("seed-demo", "--members", "60", "--weeks", "6", "--organization", "Demo Church");
        seeded.ExitCode.ShouldBe(0, seeded.ToString());
        seeded.Stdout.ShouldContain("Filled organization 'Demo Church'");
        var token = await db.RunAsync("admin", "token", "--email", "admin@demo.example", "--name", "demo", "--scope", "read");
        token.ExitCode.ShouldBe(0, token.ToString());

        Dictionary<string, long> stored;
        await using (var global = db.Context(null))
        {
            var organization = await global.Organizations.SingleAsync();
            await using var ctx = db.Context(organization.Id);
            stored = new()
            {
                ["campuses"] = await ctx.Campuses.CountAsync(),
                ["people"] = await ctx.People.CountAsync(p => p.ArchivedAt == null),
                ["families"] = await ctx.Families.CountAsync(f => f.ArchivedAt == null),
                ["groups"] = await ctx.Groups.CountAsync(g => g.ArchivedAt == null),
                ["services"] = await ctx.Services.CountAsync(),
                ["badge-types"] = await ctx.BadgeTypes.CountAsync(),
                ["attendance"] = await ctx.Attendance.CountAsync(),
            };
            (await ctx.People.CountAsync()).ShouldBe(60); // a few are archived, as in a real church
        }

        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            foreach (var (key, value) in db.Settings)
            {
                b.UseSetting(key, value);
            }
        });
        using var http = app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Stdout.Trim());
        foreach (var list in new[] { "campuses", "people", "families", "groups", "services", "badge-types" })
        {
            var page = await GetJsonAsync(http, $"/api/v1/{list}?pageSize=200");
            page["totalCount"]!.GetValue<int>().ShouldBe((int)stored[list], list);
        }
        var campusPage = await GetJsonAsync(http, "/api/v1/campuses?pageSize=200");
        campusPage["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ShouldContain("Main Campus");

        // Attendance counted per service by the API adds up to every stored record.
        var counts = JsonNode.Parse(await GetStringAsync(http, "/api/v1/attendance/counts?from=1900-01-01&to=2100-12-31"))!.AsArray();
        counts.Count.ShouldBe((int)stored["services"]);
        counts.Sum(c => c!["checkedIn"]!.GetValue<int>()).ShouldBe((int)stored["attendance"]);
    }

    private static async Task<JsonObject> GetJsonAsync(HttpClient http, string url) =>
        JsonNode.Parse(await GetStringAsync(http, url))!.AsObject();

    private static async Task<string> GetStringAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue($"{url}: {body}");
        return body;
    }
}

public sealed class SqliteSeedDemoApiTests : SeedDemoApiTests
{
    protected override Task<CliDatabase> NewDatabaseAsync() => Task.FromResult<CliDatabase>(new SqliteCliDatabase());
}

public sealed class PostgresSeedDemoApiTests : SeedDemoApiTests
{
    protected override async Task<CliDatabase> NewDatabaseAsync() => await PostgresCliDatabase.CreateAsync();
}
