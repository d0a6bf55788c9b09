using Shepherd.Features.Attendance;
using Shepherd.Features.Audit;
using Shepherd.Features.Badges;
using Shepherd.Features.Campuses;
using Shepherd.Features.CheckIn;
using Shepherd.Features.CustomFields;
using Shepherd.Features.Families;
using Shepherd.Features.Groups;
using Shepherd.Features.Members;
using Shepherd.Features.Notes;
using Shepherd.Features.OrganizationSettings;
using Shepherd.Features.People;
using Shepherd.Features.Privacy;
using Shepherd.Features.Services;
using Shepherd.Features.Tokens;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Security;

namespace Shepherd.Features;

/// <summary>
/// The domain API under /api/v1. Every endpoint names the permission it needs (<see cref="Permissions"/>): the caller's
/// role must grant it, and the token's scopes must include read for reading and write for changing.
/// </summary>
public static class ApiRoutes
{
    public static void MapShepherdApi(this IEndpointRouteBuilder app)
    {
        // Rate limited per token (Platform/Security/RateLimits). Monitoring (/api/monitoring, /metrics) is not: scrapes
        // and dashboards poll on a schedule and must keep working while the API is busy or under attack.
        var v1 = app.MapGroup("/api/v1").RequireAuthorization().RequireRateLimiting(RateLimits.Api);
        v1.MapCampusesApi();
        v1.MapPeopleApi();
        v1.MapFamiliesApi();
        v1.MapGroupsApi();
        v1.MapServicesApi();
        v1.MapAttendanceApi();
        v1.MapCheckInSearchApi();
        v1.MapNotesApi();
        v1.MapBadgesApi();
        v1.MapCustomFieldsApi();
        v1.MapAuditApi();
        v1.MapPrivacyApi();
        v1.MapInvitationsApi();
        v1.MapMembersApi();
        v1.MapTokensApi();
        v1.MapSignInSettingsApi();
    }
}
