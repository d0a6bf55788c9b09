using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Safety;

public sealed class ApiFuzzSqliteTests(SqliteApp app) : ApiFuzzTests<SqliteApp>(app);

public sealed class ApiFuzzPostgresTests(PostgresApp app) : ApiFuzzTests<PostgresApp>(app);

/// <summary>
/// Random JSON — nonsense documents and valid bodies with fields dropped, retyped, overlong or hostile — thrown at
/// every create and update endpoint: never a 500, and a rejected request writes nothing at all.
/// </summary>
public abstract class ApiFuzzTests<TApp>(TApp app) where TApp : ShepherdApp
{
    private const int IterationsPerEndpoint = 40;

    private static readonly string[] Hostile =
    [
        "", " ", "2026-11-22", "2026-13-45", "0001-01-01", "9999-12-31T23:59:59Z", "not-a-date", "-1", "1e309",
        "a@b", "ruth@example", "адрес@пример.рф", "<script>alert(1)</script>", "'; DROP TABLE people;--", "\u0000", "\uD800",
        "adult", "child", "leader", "worship", "authorOnly", "#12345G", "K7Q4", "🙏🏽",
    ];

    private static readonly Gen<JsonNode?> Scalar = Gen.Frequency(
        (1, Gen.Const(() => (JsonNode?)null)),
        (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        (2, Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l))),
        (1, Gen.Int[-3, 3].Select(i => (JsonNode?)JsonValue.Create(i))),
        (1, Gen.Double.Where(double.IsFinite).Select(d => (JsonNode?)JsonValue.Create(d))),
        (2, Gen.String.Select(s => (JsonNode?)JsonValue.Create(s))),
        (1, Gen.Char.AlphaNumeric.Array[190, 3000].Select(c => (JsonNode?)JsonValue.Create(new string(c)))),
        (3, Gen.Int[0, Hostile.Length - 1].Select(i => (JsonNode?)JsonValue.Create(Hostile[i]))));

    private static readonly Gen<JsonNode?> AnyJson = Gen.Frequency(
        (6, Scalar),
        (1, Scalar.Array[0, 4].Select(items => (JsonNode?)new JsonArray(items))),
        (1, Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 12], Scalar).Array[0, 4].Select(ToObject)));

    /// <summary>An edit to a valid body: drop a field, give it a random value, or add an unknown one.</summary>
    private sealed record Mutation(int Kind, int FieldIndex, JsonNode? Value);

    private static readonly Gen<Mutation> MutationGen = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 99], AnyJson, (k, i, v) => new Mutation(k, i, v));

    /// <summary>Either a whole random document (1 in 5) or a valid body under 1–3 mutations.</summary>
    private static readonly Gen<(JsonNode? Document, Mutation[] Mutations)> Input = Gen.Frequency(
        (1, AnyJson.Select(d => (d, Array.Empty<Mutation>()))),
        (4, MutationGen.Array[1, 3].Select(m => ((JsonNode?)null, m))));

    [Fact]
    public async Task Random_json_on_every_write_endpoint_never_gives_a_500_or_a_partial_write()
    {
        var world = await World.CreateAsync(app);
        var endpoints = ApiCatalogue.Discover(app)
            .Where(e => e.Method is "POST" or "PUT" && ApiCatalogue.Bodies.TryGetValue(e.Key, out var make) && make(world) is not null and not RawBody)
            .ToList();
        endpoints.Count.ShouldBeGreaterThan(15);

        foreach (var endpoint in endpoints)
        {
            var url = ApiCatalogue.Url(endpoint, world);
            var valid = JsonSerializer.SerializeToNode(ApiCatalogue.Bodies[endpoint.Key](world), ApiClient.Json)!.AsObject();
            await Input.SampleAsync(async input =>
            {
                var body = input.Mutations.Length == 0 ? input.Document?.ToJsonString() ?? "null" : Mutate(valid, input.Mutations).ToJsonString();
                var before = await Fingerprint.OfAsync(app, world.Api.OrganizationId);

                using var response = await ApiProbe.SendAsync(world.Api, endpoint.Method, url, body);

                var text = await response.Content.ReadAsStringAsync();
                ((int)response.StatusCode).ShouldBeLessThan(500, $"{endpoint} with {body}: {text}");
                if (!response.IsSuccessStatusCode)
                {
                    response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", $"{endpoint} with {body}");
                    (await Fingerprint.OfAsync(app, world.Api.OrganizationId)).ShouldBe(before, $"{endpoint} rejected {body} ({response.StatusCode}) but wrote something");
                }
            }, iter: IterationsPerEndpoint, threads: 1);
        }
    }

    private static readonly string[] QueryKeys =
        ["q", "page", "pageSize", "sort", "status", "kind", "campusId", "groupId", "active", "includeArchived", "from", "to"];

    /// <summary>Up to four query parameters with random or hostile values.</summary>
    private static readonly Gen<(int Key, string Value)[]> Query = Gen.Select(
        Gen.Int[0, QueryKeys.Length - 1],
        Gen.Frequency(
            (3, Gen.Int[0, Hostile.Length - 1].Select(i => Hostile[i])),
            (2, Gen.String),
            (2, Gen.Long.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            (1, Gen.Char.AlphaNumeric.Array[300, 2000].Select(c => new string(c)))),
        (k, v) => (k, v)).Array[1, 4];

    [Fact]
    public async Task Random_query_strings_on_every_read_endpoint_never_give_a_500()
    {
        var world = await World.CreateAsync(app);
        var endpoints = ApiCatalogue.Discover(app).Where(e => e.Method == "GET").ToList();
        endpoints.Count.ShouldBeGreaterThan(15);

        foreach (var endpoint in endpoints)
        {
            var url = ApiCatalogue.Url(endpoint, world);
            await Query.SampleAsync(async query =>
            {
                var target = url + "?" + string.Join('&', query.Select(p => $"{QueryKeys[p.Key]}={Uri.EscapeDataString(p.Value)}"));
                using var response = await world.Api.GetAsync(target);
                var text = await response.Content.ReadAsStringAsync();
                ((int)response.StatusCode).ShouldBeLessThan(500, $"GET {target}: {text}");
            }, iter: IterationsPerEndpoint, threads: 1);
        }
    }

    private static JsonObject Mutate(JsonObject valid, Mutation[] mutations)
    {
        var body = valid.DeepClone().AsObject();
        foreach (var m in mutations)
        {
            var keys = body.Select(p => p.Key).ToList();
            switch (m.Kind)
            {
                case 0 when keys.Count > 0:
                    body.Remove(keys[m.FieldIndex % keys.Count]);
                    break;
                case 1 when keys.Count > 0:
                    body[keys[m.FieldIndex % keys.Count]] = m.Value?.DeepClone();
                    break;
                default:
                    body[$"unknown{m.FieldIndex}"] = m.Value?.DeepClone();
                    break;
            }
        }
        return body;
    }

    private static JsonNode? ToObject((string Key, JsonNode? Value)[] pairs)
    {
        var o = new JsonObject();
        foreach (var (key, value) in pairs)
        {
            o[key] = value?.DeepClone();
        }
        return o;
    }
}
