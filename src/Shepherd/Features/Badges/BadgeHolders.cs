using Shepherd.Data;
using Shepherd.Data.People;
using Shepherd.Platform.Accounts;

namespace Shepherd.Features.Badges;

/// <summary>The people holding a badge type, as GET /api/v1/badge-types/{id}/people and the /badges pages list them (a group leader: their groups' people).</summary>
public static class BadgeHolders
{
    public static IQueryable<Person> Of(ShepherdDbContext db, CallerScope scope, long badgeTypeId) =>
        scope.People(db.People).Where(p => p.Badges.Any(b => b.BadgeTypeId == badgeTypeId));
}
