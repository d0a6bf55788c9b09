namespace Shepherd.Features.Badges;

/// <summary>/api/v1 endpoints of this feature (being written).</summary>
public static class BadgesApi
{
    public static void MapBadgesApi(this IEndpointRouteBuilder api)
    {
        _ = api;
    }
}
