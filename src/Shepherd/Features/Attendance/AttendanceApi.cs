namespace Shepherd.Features.Attendance;

/// <summary>/api/v1 endpoints of this feature (being written).</summary>
public static class AttendanceApi
{
    public static void MapAttendanceApi(this IEndpointRouteBuilder api)
    {
        _ = api;
    }
}
