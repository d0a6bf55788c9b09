using Shepherd.Features.Campuses;
using Shepherd.Platform.Accounts;

namespace Shepherd.Features;

/// <summary>The domain API under /api/v1: every group needs a token with the read scope; changes also need write.</summary>
public static class ApiRoutes
{
    public static void MapShepherdApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1").RequireAuthorization(ApiScopes.ReadPolicy);
        v1.MapCampusesApi();
    }
}
