using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Durability;

/// <summary>
/// A church set up the way an operator does it, entirely through the real executable: `migrate up`, `admin create`,
/// `admin token --scope read --scope write`. Gives the bearer token and the organization's id.
/// </summary>
public sealed partial record ServedChurch(string Token, long OrganizationId)
{
    public const string Name = "Grace Church";

    public static async Task<ServedChurch> SetUpAsync(CliDatabase db)
    {
        var migrate = await db.RunAsync("migrate", "up");
        migrate.ExitCode.ShouldBe(0, migrate.ToString());
        var admin = await db.RunAsync("admin", "create", "--email", "ops@grace.example", "--password", "correct horse battery", "--organization", Name);
        admin.ExitCode.ShouldBe(0, admin.ToString());
        var token = await db.RunAsync("admin", "token", "--email", "ops@grace.example", "--name", "load test", "--scope", "read", "--scope", "write");
        token.ExitCode.ShouldBe(0, token.ToString());
        // Read from the output rather than the database, so this process holds no connection to the file a test may crash.
        var organizationId = long.Parse(OrganizationIdLine().Match(admin.Stdout).Groups[1].Value, CultureInfo.InvariantCulture);
        return new ServedChurch(token.Stdout.Trim(), organizationId);
    }

    /// <summary>Creates a campus and a service on it through the API, for attendance to be recorded against; returns the service id.</summary>
    public static async Task<long> CreateServiceAsync(HttpClient api)
    {
        var campus = await CreateAsync(api, "api/v1/campuses", new { name = "Load Test Campus" });
        var service = await CreateAsync(api, "api/v1/services", new
        {
            campusId = campus["id"]!.GetValue<long>(),
            name = "Load Test Service",
            startsAt = new DateTimeOffset(2025, 6, 1, 9, 0, 0, TimeSpan.Zero),
        });
        return service["id"]!.GetValue<long>();
    }

    [GeneratedRegex(@"Created organization '[^']+' \(id (\d+)\)")]
    private static partial Regex OrganizationIdLine();

    private static async Task<JsonObject> CreateAsync(HttpClient api, string url, object body)
    {
        using var response = await api.PostAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!.AsObject();
    }
}
