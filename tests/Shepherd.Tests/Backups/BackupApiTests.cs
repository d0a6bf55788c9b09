using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Operations.Backups;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Cli;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Backups;

/// <summary>`/api/operations/backups`: list, download, create and verify, for platform administrators only.</summary>
public abstract class BackupApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    private const string Route = BackupEndpoints.Route;

    private string Folder => app.Services.GetRequiredService<BackupFolder>().Path;

    [Fact]
    public async Task A_platform_administrator_creates_lists_verifies_and_downloads_a_backup()
    {
        using var api = await app.NewOrganizationAsync(platformAdministrator: true);

        var response = await api.PostAsync(Route, new { label = "api" });

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var name = created["name"]!.GetValue<string>();
        name.ShouldMatch(@"^shepherd-\d{8}T\d{6}Z-api(-\d+)?\.backup$");
        response.Headers.Location!.ToString().ShouldBe($"{Route}/{name}");
        created["provider"]!.GetValue<string>().ShouldBe(app.Provider.ToString());
        created["rows"]!.GetValue<long>().ShouldBeGreaterThan(0);
        created["verification"].ShouldBeNull();
        File.Exists(Path.Combine(Folder, name)).ShouldBeTrue();

        var verify = await api.PostAsync($"{Route}/{name}/verify", new { });
        verify.StatusCode.ShouldBe(HttpStatusCode.OK, await verify.Content.ReadAsStringAsync());
        var result = (await verify.Content.ReadFromJsonAsync<JsonObject>())!;
        result["passed"]!.GetValue<bool>().ShouldBeTrue(result.ToJsonString());
        result["checks"]!.AsArray().Count.ShouldBe(4);

        var list = (await api.Http.GetFromJsonAsync<JsonArray>(Route))!;
        var listed = list.Single(b => b!["name"]!.GetValue<string>() == name)!;
        listed["verification"]!["passed"]!.GetValue<bool>().ShouldBeTrue();

        var download = await api.GetAsync($"{Route}/{name}");
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        download.Content.Headers.ContentType!.MediaType.ShouldBe("application/octet-stream");
        download.Content.Headers.ContentDisposition!.FileName!.Trim('"').ShouldBe(name);
        (await download.Content.ReadAsByteArrayAsync()).ShouldBe(await File.ReadAllBytesAsync(Path.Combine(Folder, name)));
    }

    [Fact]
    public async Task An_organization_administrator_who_is_not_a_platform_administrator_gets_403_everywhere()
    {
        using var api = await app.NewOrganizationAsync();
        using var platform = await app.NewOrganizationAsync(platformAdministrator: true);
        var name = await CreateAsync(platform);
        var before = Directory.GetFiles(Folder).Length;

        (await api.GetAsync(Route)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await api.GetAsync($"{Route}/{name}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await api.PostAsync(Route, new { })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await api.PostAsync($"{Route}/{name}/verify", new { })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        Directory.GetFiles(Folder).Length.ShouldBe(before, "nothing was created or verified");

        using var anonymous = app.CreateClient();
        (await anonymous.GetAsync(Route)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_read_only_platform_token_lists_and_downloads_but_cannot_create_or_verify()
    {
        using var platform = await app.NewOrganizationAsync(platformAdministrator: true);
        var name = await CreateAsync(platform);
        using var reader = await app.NewOrganizationAsync([ApiScopes.Read], platformAdministrator: true);

        (await reader.GetAsync(Route)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await reader.GetAsync($"{Route}/{name}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await reader.PostAsync(Route, new { })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await reader.PostAsync($"{Route}/{name}/verify", new { })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Bad_labels_and_unknown_or_outside_names_are_refused_with_problem_details_and_create_nothing()
    {
        using var api = await app.NewOrganizationAsync(platformAdministrator: true);
        Directory.CreateDirectory(Folder);
        var before = Directory.GetFiles(Folder).Length;

        await (await api.PostAsync(Route, new { label = "../../etc/passwd" })).ShouldBeValidationProblemAsync("label");
        await (await api.PostAsync(Route, new { label = new string('x', 41) })).ShouldBeValidationProblemAsync("label");
        await (await api.PostAsync(Route, new { label = 42 })).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        await (await api.SendRawAsync(HttpMethod.Post, Route, "{ not json")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        Directory.GetFiles(Folder).Length.ShouldBe(before);

        foreach (var name in new[] { "shepherd-19990101T000000Z.backup", "..%2Fshepherd.db", "shepherd.db", "%2Fetc%2Fpasswd", ".hidden.backup" })
        {
            (await (await api.GetAsync($"{Route}/{name}")).ShouldBeProblemAsync(HttpStatusCode.NotFound))["detail"]!.ToString().ShouldContain(Route);
            await (await api.PostAsync($"{Route}/{name}/verify", new { })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task Verifying_a_damaged_backup_answers_200_with_the_failed_check_and_the_list_shows_it_unreadable()
    {
        using var api = await app.NewOrganizationAsync(platformAdministrator: true);
        Directory.CreateDirectory(Folder);
        var name = $"shepherd-20200101T000000Z-damaged{Guid.NewGuid():N}"[..45] + BackupFolder.Extension;
        var file = Path.Combine(Folder, name);
        await File.WriteAllTextAsync(file, "this is not a backup");
        try
        {
            var verify = await api.PostAsync($"{Route}/{name}/verify", new { });

            verify.StatusCode.ShouldBe(HttpStatusCode.OK);
            var result = (await verify.Content.ReadFromJsonAsync<JsonObject>())!;
            result["passed"]!.GetValue<bool>().ShouldBeFalse();
            result["checks"]!.AsArray().ShouldContain(c => !c!["passed"]!.GetValue<bool>());
            var listed = (await api.Http.GetFromJsonAsync<JsonArray>(Route))!.Single(b => b!["name"]!.GetValue<string>() == name)!;
            listed["unreadable"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        }
        finally
        {
            File.Delete(file);
            File.Delete(BackupFolder.VerificationFile(file));
        }
    }

    private static async Task<string> CreateAsync(ApiClient platform)
    {
        var response = await platform.PostAsync(Route, new { label = "forbidden-test" });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["name"]!.GetValue<string>();
    }
}

public sealed class SqliteBackupApiTests(SqliteApp app) : BackupApiTests<SqliteApp>(app);

public sealed class PostgresBackupApiTests(PostgresApp app) : BackupApiTests<PostgresApp>(app);

/// <summary>Who becomes a platform administrator through `shepherd admin create`.</summary>
public sealed class PlatformAdministratorCommandTests
{
    [Fact]
    public async Task The_first_user_is_the_platform_administrator_and_others_only_with_the_flag()
    {
        await using var db = new SqliteCliDatabase();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);

        var first = await db.RunAsync("admin", "create", "--email", "owner@example.org", "--password", "correct horse battery", "--organization", "Grace");
        var second = await db.RunAsync("admin", "create", "--email", "pastor@example.org", "--password", "correct horse battery", "--organization", "Hope");
        var third = await db.RunAsync("admin", "create", "--email", "it@example.org", "--password", "correct horse battery", "--organization", "Hope",
            "--platform-administrator");

        first.ExitCode.ShouldBe(0, first.ToString());
        first.Stdout.ShouldContain("owner@example.org is a platform administrator");
        second.ExitCode.ShouldBe(0, second.ToString());
        second.Stdout.ShouldNotContain("platform administrator");
        third.Stdout.ShouldContain("it@example.org is a platform administrator");
        await using var ctx = db.Context(null);
        var flags = ctx.Users.OrderBy(u => u.Id).Select(u => u.IsPlatformAdministrator).ToList();
        flags.ShouldBe([true, false, true]);
    }
}
