using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Badges;
using Shepherd.Platform;
using Shepherd.Platform.Accounts;

namespace Shepherd.Features.Badges;

public enum AwardOutcome { Done, PersonNotFound, Invalid }

public sealed record AwardResult(AwardOutcome Outcome, Badge? Badge = null, BadgeType? Type = null, string? Field = null, string? Error = null);

/// <summary>
/// Awarding a badge to a person, for POST /api/v1/people/{personId}/badges and the profile page alike: the type must be
/// the organization's and not retired, the date not in the future (the organization's calendar; today when left out).
/// </summary>
public static class BadgeAwards
{
    public static async Task<AwardResult> AwardAsync(ShepherdDbContext db, long personId, BadgesApi.BadgeRequest request, ClaimsPrincipal user,
        TimeProvider clock, CancellationToken ct)
    {
        if (!await db.People.AnyAsync(p => p.Id == personId, ct))
        {
            return new AwardResult(AwardOutcome.PersonNotFound);
        }
        var typeId = request.BadgeTypeId!.Value;
        var type = await db.BadgeTypes.AsNoTracking().FirstOrDefaultAsync(t => t.Id == typeId, ct);
        if (type is null)
        {
            return Invalid("badgeTypeId", $"There is no badge type with id {typeId.ToString(CultureInfo.InvariantCulture)} in your organization.");
        }
        if (!type.Active)
        {
            return Invalid("badgeTypeId", $"The badge type '{type.Name}' is retired (inactive) and cannot be awarded.");
        }
        var today = await OrganizationCalendar.TodayAsync(db, clock, ct);
        if (request.AwardedOn > today)
        {
            return Invalid("awardedOn", "awardedOn cannot be in the future.");
        }
        var badge = new Badge
        {
            PersonId = personId,
            BadgeTypeId = typeId,
            AwardedOn = request.AwardedOn ?? today,
            AwardedByUserId = user.UserId(),
            Note = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim(),
        };
        db.Badges.Add(badge);
        await db.SaveChangesAsync(ct);
        return new AwardResult(AwardOutcome.Done, badge, type);
    }

    /// <summary>Removes one award of the person; false when there is no such badge on them.</summary>
    public static async Task<bool> RevokeAsync(ShepherdDbContext db, long personId, long badgeId, CancellationToken ct)
    {
        var badge = await db.Badges.FirstOrDefaultAsync(b => b.Id == badgeId && b.PersonId == personId, ct);
        if (badge is null)
        {
            return false;
        }
        db.Badges.Remove(badge);
        await db.SaveChangesAsync(ct);
        return true;
    }

    private static AwardResult Invalid(string field, string error) => new(AwardOutcome.Invalid, Field: field, Error: error);
}
