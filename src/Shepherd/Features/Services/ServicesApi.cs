namespace Shepherd.Features.Services;

/// <summary>/api/v1 endpoints of this feature (being written).</summary>
public static class ServicesApi
{
    public static void MapServicesApi(this IEndpointRouteBuilder api)
    {
        _ = api;
    }
}
