using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Tenancy;
using Shepherd.Tests.Infrastructure;

namespace Shepherd.Tests.Safety;

/// <summary>
/// Row counts and version sums of every tenant table (plus the audit log) of one organization:
/// if a rejected request wrote anything at all, the fingerprint changes.
/// </summary>
public static class Fingerprint
{
    public static async Task<string> OfAsync(ShepherdApp app, long organizationId)
    {
        await using var db = app.Database(organizationId);
        var parts = new List<string>();
        foreach (var entity in db.Model.GetEntityTypes().Where(t => typeof(ITenantOwned).IsAssignableFrom(t.ClrType)))
        {
            var table = entity.GetTableName();
            var versioned = typeof(IVersioned).IsAssignableFrom(entity.ClrType);
            parts.Add($"(SELECT {(versioned ? "count(*) * 1000003 + coalesce(sum(version), 0)" : "count(*)")} FROM \"{table}\" WHERE organization_id = {organizationId.ToString(CultureInfo.InvariantCulture)})");
        }
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT " + string.Join(" || ',' || ", parts.Select(p => $"CAST({p} AS TEXT)"));
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture)!;
    }
}

public static class ApiProbe
{
    /// <summary>Sends <paramref name="body"/> as JSON, raw bytes (<see cref="RawBody"/>), a raw JSON string (<see cref="string"/>) or nothing.</summary>
    public static Task<HttpResponseMessage> SendAsync(ApiClient api, string method, string url, object? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = body switch
            {
                null => null,
                RawBody raw => new ByteArrayContent(raw.Bytes) { Headers = { ContentType = new(raw.ContentType) } },
                string json => new StringContent(json, Encoding.UTF8, "application/json"),
                _ => JsonContent.Create(body, options: ApiClient.Json),
            },
        };
        return api.Http.SendAsync(request);
    }
}
