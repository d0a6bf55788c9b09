using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Tests.Infrastructure;

namespace Shepherd.Tests.Safety;

/// <summary>A request body sent as raw bytes with its content type (photo uploads).</summary>
public sealed record RawBody(byte[] Bytes, string ContentType);

/// <summary>One mapped /api/v1 endpoint: its method and route pattern with constraints removed ("/api/v1/people/{id}").</summary>
public sealed record ApiEndpoint(string Method, string Pattern)
{
    public string Key => $"{Method} {Pattern}";

    public IReadOnlyList<string> Parameters => [.. Regex.Matches(Pattern, @"\{(\w+)\}").Select(m => m.Groups[1].Value)];

    public override string ToString() => Key;
}

/// <summary>
/// Every write endpoint with a valid body, built from a <see cref="World"/>'s ids. The safety tests probe each
/// endpoint the app maps, and fail when one is missing here, so a new endpoint cannot skip the probes.
/// </summary>
public static partial class ApiCatalogue
{
    /// <summary>A valid 1×1 PNG.</summary>
    public static readonly byte[] TinyPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    /// <summary>A valid body for each POST/PUT endpoint (null: the endpoint takes no body).</summary>
    public static readonly IReadOnlyDictionary<string, Func<World, object?>> Bodies = new Dictionary<string, Func<World, object?>>
    {
        ["POST /api/v1/campuses"] = w => new { name = Unique("Campus") },
        ["PUT /api/v1/campuses/{id}"] = w => new { name = Unique("Campus") },
        ["PUT /api/v1/organization/sign-in"] = w => new { localPasswordsDisabled = false },

        ["POST /api/v1/people"] = w => new { firstName = "Ruth", lastName = "Moab", campusId = w.CampusId, emails = new[] { new { address = "ruth@example.org" } } },
        ["PUT /api/v1/people/{id}"] = w => new { firstName = "Naomi", lastName = "Moab", campusId = w.CampusId },
        ["POST /api/v1/people/{id}/archive"] = _ => null,
        ["POST /api/v1/people/{id}/restore"] = _ => null,
        ["PUT /api/v1/people/{id}/photo"] = _ => new RawBody(TinyPng, "image/png"),
        ["POST /api/v1/people/{id}/erase"] = w => new { confirm = $"Adult {w.Marker}" },
        // A dry run: the probes call it many times, and a real merge would archive the world's child half-way through them.
        ["POST /api/v1/people/{id}/merge"] = w => new { duplicateId = w.ChildId, dryRun = true },

        ["POST /api/v1/families"] = w => new { name = "Moab family", campusId = w.CampusId },
        ["PUT /api/v1/families/{id}"] = w => new { name = "Moab household", campusId = w.CampusId },
        ["POST /api/v1/families/{id}/archive"] = _ => null,
        ["POST /api/v1/families/{id}/restore"] = _ => null,
        ["POST /api/v1/families/{id}/members"] = w => new { personId = w.AdultId, role = "adult" },
        ["PUT /api/v1/families/{id}/members/{personId}"] = _ => new { role = "adult" },
        ["POST /api/v1/families/{id}/pickups"] = _ => new { name = "Uncle Boaz", relationship = "uncle", phone = "555 0100" },

        ["POST /api/v1/groups"] = w => new { name = Unique("Group"), kind = "smallGroup", campusId = w.CampusId },
        ["PUT /api/v1/groups/{id}"] = w => new { name = Unique("Group"), kind = "ministry", campusId = w.CampusId },
        ["POST /api/v1/groups/{id}/archive"] = _ => null,
        ["POST /api/v1/groups/{id}/restore"] = _ => null,
        ["POST /api/v1/groups/{id}/members"] = w => new { personId = w.ChildId, role = "member" },
        ["PUT /api/v1/groups/{id}/members/{personId}"] = _ => new { role = "member" },

        ["POST /api/v1/services"] = w => new { campusId = w.CampusId, name = "Sunday 9:00", kind = "worship", startsAt = "2026-11-29T09:00:00Z" },
        ["PUT /api/v1/services/{id}"] = w => new { campusId = w.CampusId, name = "Sunday 9:30", kind = "kids", startsAt = "2026-11-22T09:30:00Z" },
        ["PUT /api/v1/services/{id}/headcount"] = _ => new { headcount = 12 },
        ["POST /api/v1/services/{serviceId}/attendance"] = w => new { personId = w.AdultId },
        ["POST /api/v1/services/{serviceId}/attendance/bulk"] = w => new { personIds = new[] { w.AdultId } },
        ["POST /api/v1/services/{serviceId}/attendance/{personId}/checkout"] = _ => new { securityCode = "K7Q4", pickedUpBy = "Grandma" },

        ["POST /api/v1/people/{personId}/notes"] = _ => new { text = "Visited in hospital.", visibility = "pastors" },
        ["PUT /api/v1/notes/{id}"] = _ => new { text = "Visited in hospital; recovering.", visibility = "staff" },

        ["POST /api/v1/badge-types"] = _ => new { name = Unique("Badge"), color = "#336699" },
        ["PUT /api/v1/badge-types/{id}"] = _ => new { name = Unique("Badge"), color = "#993366" },
        ["POST /api/v1/people/{personId}/badges"] = w => new { badgeTypeId = w.BadgeTypeId },

        ["POST /api/v1/custom-fields"] = _ => new { key = Unique("f").ToLowerInvariant(), label = "Allergies", type = "text" },
        ["PUT /api/v1/custom-fields/{id}"] = _ => new { key = "shirt", label = "T-shirt size", type = "choice", choices = new[] { "S", "M", "L", "XL" } },

        ["POST /api/v1/invitations"] = _ => new { email = $"{Guid.NewGuid():N}@example.org", role = "staff" },
        ["PUT /api/v1/members/{userId}"] = w => new { role = "viewer", personId = w.AdultId },
        ["POST /api/v1/tokens"] = _ => new { name = "website sync", scopes = new[] { "read" }, expiresInDays = 30 },
    };

    /// <summary>The id a route parameter takes in a world: "{id}" by the resource the route names, others by their name.</summary>
    public static long Resolve(ApiEndpoint endpoint, string parameter, World w)
    {
        if (parameter == "id")
        {
            var resource = endpoint.Pattern.Split('/', StringSplitOptions.RemoveEmptyEntries)[2];
            return resource switch
            {
                "campuses" => w.CampusId,
                "people" => w.AdultId,
                "families" => w.FamilyId,
                "groups" => w.GroupId,
                "services" => w.ServiceId,
                "notes" => w.NoteId,
                "badge-types" => w.BadgeTypeId,
                "custom-fields" => w.CustomFieldId,
                "invitations" => w.InvitationId,
                "tokens" => w.TokenId,
                _ => throw new InvalidOperationException($"ApiCatalogue.Resolve does not know the resource of {endpoint}: add it."),
            };
        }
        return parameter switch
        {
            // The child is the one checked in to the world's service; the adult is in the family and group.
            "personId" when endpoint.Pattern.Contains("/attendance/", StringComparison.Ordinal) => w.ChildId,
            "personId" => w.AdultId,
            "serviceId" => w.ServiceId,
            "badgeId" => w.BadgeId,
            "pickupId" => w.PickupId,
            "userId" => w.UserId,
            _ => throw new InvalidOperationException($"ApiCatalogue.Resolve does not know {{{parameter}}} in {endpoint}: add it."),
        };
    }

    public static string Url(ApiEndpoint endpoint, World pathOwner) =>
        endpoint.Parameters.Aggregate(endpoint.Pattern, (url, p) => url.Replace($"{{{p}}}", Resolve(endpoint, p, pathOwner).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
        + (Queries.TryGetValue(endpoint.Key, out var query) ? query(pathOwner) : "");

    /// <summary>The query string of endpoints that need one to answer (a search term), finding the world's own records.</summary>
    public static readonly IReadOnlyDictionary<string, Func<World, string>> Queries = new Dictionary<string, Func<World, string>>
    {
        ["GET /api/v1/checkin/families"] = w => $"?q={Uri.EscapeDataString(w.Marker)}",
    };

    /// <summary>Every endpoint the running app maps under /api/v1.</summary>
    public static IReadOnlyList<ApiEndpoint> Discover(ShepherdApp app) =>
    [
        .. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => new ApiEndpoint(m, Normalize(e.RoutePattern.RawText!))))
            .Distinct()
            .OrderBy(e => e.Pattern, StringComparer.Ordinal).ThenBy(e => e.Method, StringComparer.Ordinal),
    ];

    private static string Normalize(string pattern) => ConstraintPattern().Replace(pattern.TrimEnd('/'), "{$1}");

    [GeneratedRegex(@"\{(\w+)(:[^}]*)?\}")]
    private static partial Regex ConstraintPattern();

    private static string Unique(string prefix) => $"{prefix} {Guid.NewGuid():N}"[..(prefix.Length + 9)];


}
