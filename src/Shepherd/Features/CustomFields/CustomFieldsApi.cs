namespace Shepherd.Features.CustomFields;

/// <summary>/api/v1 endpoints of this feature (being written).</summary>
public static class CustomFieldsApi
{
    public static void MapCustomFieldsApi(this IEndpointRouteBuilder api)
    {
        _ = api;
    }
}
