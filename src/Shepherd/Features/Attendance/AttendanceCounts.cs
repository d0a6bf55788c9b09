using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Services;

using Shepherd.Platform.Api;

namespace Shepherd.Features.Attendance;

/// <summary>Per-service totals for reports: people checked in by name, the extra headcount, and both together.</summary>
public static class AttendanceCounts
{
    public sealed record ServiceCount(
        long ServiceId, DateOnly Date, string Name, ServiceKind Kind, long CampusId, DateTimeOffset StartsAt, int CheckedIn, int Headcount, int Total);

    public sealed record CountsQuery
    {
        /// <summary>First service date included.</summary>
        public DateOnly? From { get; init; }

        /// <summary>Last service date included.</summary>
        public DateOnly? To { get; init; }

        public long? CampusId { get; init; }

        /// <summary>worship, kids, youth, event, class or other.</summary>
        public string? Kind { get; init; }
    }

    /// <summary>One query: services LEFT JOIN attendance GROUP BY service, oldest first; services nobody checked in to count 0.</summary>
    public static async Task<Results<Ok<List<ServiceCount>>, ValidationProblem>> ListAsync(
        [AsParameters] CountsQuery filter, ShepherdDbContext db, CancellationToken ct)
    {
        if (filter.From > filter.To)
        {
            return ApiResults.Invalid("from", "from must not be after to.");
        }
        var services = db.Services.AsNoTracking();
        if (filter.Kind is not null)
        {
            if (!QueryEnums.TryParse<ServiceKind>(filter.Kind, out var kind))
            {
                return ApiResults.Invalid("kind", $"Unknown kind '{filter.Kind}'. Use one of: {QueryEnums.Names<ServiceKind>()}.");
            }
            services = services.Where(s => s.Kind == kind);
        }
        if (filter.CampusId is { } campusId)
        {
            services = services.Where(s => s.CampusId == campusId);
        }
        if (filter.From is { } from)
        {
            services = services.Where(s => s.Date >= from);
        }
        if (filter.To is { } to)
        {
            services = services.Where(s => s.Date <= to);
        }

        var rows = await (
                from s in services
                join a in db.Attendance on s.Id equals a.ServiceId into records
                from a in records.DefaultIfEmpty()
                group a by new { s.Id, s.Date, s.Name, s.Kind, s.CampusId, s.StartsAt, s.Headcount } into g
                orderby g.Key.Date, g.Key.StartsAt, g.Key.Id
                select new { g.Key, CheckedIn = g.Count(a => a != null) })
            .ToListAsync(ct);
        var items = rows.Select(r => new ServiceCount(
            r.Key.Id, r.Key.Date, r.Key.Name, r.Key.Kind, r.Key.CampusId, r.Key.StartsAt,
            r.CheckedIn, r.Key.Headcount ?? 0, r.CheckedIn + (r.Key.Headcount ?? 0))).ToList();
        return TypedResults.Ok(items);
    }
}
