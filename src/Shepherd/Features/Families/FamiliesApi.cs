namespace Shepherd.Features.Families;

/// <summary>/api/v1 endpoints of this feature (being written).</summary>
public static class FamiliesApi
{
    public static void MapFamiliesApi(this IEndpointRouteBuilder api)
    {
        _ = api;
    }
}
