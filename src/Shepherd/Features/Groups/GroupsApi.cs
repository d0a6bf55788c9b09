namespace Shepherd.Features.Groups;

/// <summary>/api/v1 endpoints of this feature (being written).</summary>
public static class GroupsApi
{
    public static void MapGroupsApi(this IEndpointRouteBuilder api)
    {
        _ = api;
    }
}
