namespace Shepherd.Features.People;

/// <summary>/api/v1 endpoints of this feature (being written).</summary>
public static class PeopleApi
{
    public static void MapPeopleApi(this IEndpointRouteBuilder api)
    {
        _ = api;
    }
}
