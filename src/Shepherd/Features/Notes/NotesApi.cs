namespace Shepherd.Features.Notes;

/// <summary>/api/v1 endpoints of this feature (being written).</summary>
public static class NotesApi
{
    public static void MapNotesApi(this IEndpointRouteBuilder api)
    {
        _ = api;
    }
}
