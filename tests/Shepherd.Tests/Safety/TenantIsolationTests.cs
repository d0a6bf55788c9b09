using System.Net;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Safety;

public sealed class TenantIsolationSqliteTests(SqliteApp app) : TenantIsolationTests<SqliteApp>(app);

public sealed class TenantIsolationPostgresTests(PostgresApp app) : TenantIsolationTests<PostgresApp>(app);

/// <summary>One organization never sees or touches another's data, probed on every route the app maps.</summary>
public abstract class TenantIsolationTests<TApp>(TApp app) where TApp : ShepherdApp
{
    [Fact]
    public void Every_write_endpoint_is_in_the_probe_catalogue()
    {
        var writes = ApiCatalogue.Discover(app).Where(e => e.Method is "POST" or "PUT").Select(e => e.Key);

        writes.Where(k => !ApiCatalogue.Bodies.ContainsKey(k))
            .ShouldBeEmpty("add a valid body for these endpoints to ApiCatalogue.Bodies so the isolation and fuzz probes cover them");
    }

    [Fact]
    public async Task Every_route_answers_404_for_another_organizations_ids_and_changes_nothing_there()
    {
        var mine = await World.CreateAsync(app);
        var theirs = await World.CreateAsync(app);
        var before = await Fingerprint.OfAsync(app, theirs.Api.OrganizationId);
        var probed = 0;

        foreach (var endpoint in ApiCatalogue.Discover(app).Where(e => e.Parameters.Count > 0))
        {
            var body = ApiCatalogue.Bodies.TryGetValue(endpoint.Key, out var make) ? make(mine) : null;
            using var response = await ApiProbe.SendAsync(mine.Api, endpoint.Method, ApiCatalogue.Url(endpoint, theirs), body);

            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"{endpoint} with another organization's ids: {text}");
            text.ShouldNotContain(theirs.Marker);
            probed++;
        }

        probed.ShouldBeGreaterThan(10);
        (await Fingerprint.OfAsync(app, theirs.Api.OrganizationId)).ShouldBe(before);
    }

    [Fact]
    public async Task No_read_shows_another_organizations_records()
    {
        var mine = await World.CreateAsync(app);
        var theirs = await World.CreateAsync(app);

        foreach (var endpoint in ApiCatalogue.Discover(app).Where(e => e.Method == "GET"))
        {
            using var response = await mine.Api.GetAsync(ApiCatalogue.Url(endpoint, mine));
            var text = await response.Content.ReadAsStringAsync();

            response.StatusCode.ShouldBeOneOf([HttpStatusCode.OK, HttpStatusCode.NotFound], $"{endpoint}: {text}");
            text.ShouldNotContain(theirs.Marker, customMessage: $"{endpoint} leaked another organization's data");
        }
    }
}
