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
    public async Task Seed_demo_fills_the_administrators_organization_and_the_api_serves_it()
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

        long campuses;
        await using (var global = db.Context(null))
        {
            var organization = await global.Organizations.SingleAsync();
            await using var ctx = db.Context(organization.Id);
            campuses = await ctx.Campuses.CountAsync();
            (await ctx.People.CountAsync()).ShouldBe(60);
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
        using var response = await http.GetAsync("/api/v1/campuses?pageSize=200");
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(body);
        var page = JsonNode.Parse(body)!.AsObject();
        page["totalCount"]!.GetValue<int>().ShouldBe((int)campuses);
        page["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ShouldContain("Main Campus");
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
