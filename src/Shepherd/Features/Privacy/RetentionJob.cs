using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using Shepherd.Data;
using Shepherd.Data.Audit;
using Shepherd.Operations.Jobs;

namespace Shepherd.Features.Privacy;

/// <summary>The daily data-retention run: <c>Shepherd:Retention:*</c> (when; what is kept is each organization's own setting).</summary>
public sealed class RetentionOptions : DailySchedule
{
    public const string Section = "Shepherd:Retention";

    /// <summary>After the nightly backup and maintenance, so last night's backup still has what is erased today.</summary>
    public override string Time { get; set; } = "04:00";
}

public sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        var problems = options.Problems(RetentionOptions.Section).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>What one run did, per organization that has a retention setting.</summary>
public sealed record RetentionReport(DateTimeOffset At, IReadOnlyList<RetentionReport.Organization> Organizations, string? Error)
{
    public sealed record Organization(long Id, int PeopleErased, int AuditEntriesDeleted);
}

/// <summary>
/// Daily, for each organization: erases (<see cref="PersonEraser"/>) the people archived longer than its
/// ArchivedPeopleRetentionDays, and deletes its audit entries older than its AuditRetentionDays. The deletion is an
/// ExecuteDelete that bypasses the change tracker: this is the only code that removes audit entries
/// (SaveChanges refuses to).
/// </summary>
[DisallowConcurrentExecution]
public sealed class RetentionJob(ShepherdDbContextFactory contexts, TimeProvider clock, ILogger<RetentionJob> logger) : IJob
{
    public static readonly JobKey Key = new("retention", "shepherd");

    private static readonly AuditActor Actor = new(null, "retention job");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        context.Result = await RunAsync(cancellationToken);

    public async Task<RetentionReport> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var done = new List<RetentionReport.Organization>();
        try
        {
            List<(long Id, int? People, int? Audit)> organizations;
            await using (var all = contexts.Create(null, Actor))
            {
                organizations = [.. (await all.Organizations.AsNoTracking()
                    .Where(o => o.ArchivedPeopleRetentionDays != null || o.AuditRetentionDays != null)
                    .OrderBy(o => o.Id)
                    .Select(o => new { o.Id, o.ArchivedPeopleRetentionDays, o.AuditRetentionDays })
                    .ToListAsync(cancellationToken))
                    .Select(o => (o.Id, o.ArchivedPeopleRetentionDays, o.AuditRetentionDays))];
            }
            foreach (var (id, peopleDays, auditDays) in organizations)
            {
                done.Add(await RunAsync(id, peopleDays, auditDays, now, cancellationToken));
            }
            logger.LogInformation("Retention: {Organizations} organizations, {People} people erased, {Entries} audit entries deleted",
                done.Count, done.Sum(o => o.PeopleErased), done.Sum(o => o.AuditEntriesDeleted));
            return new RetentionReport(now, done, null);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or DbUpdateException or InvalidOperationException)
        {
            logger.LogError(e, "Retention: FAILED: {Message}", e.Message);
            return new RetentionReport(now, done, e.Message);
        }
    }

    private async Task<RetentionReport.Organization> RunAsync(long organizationId, int? peopleDays, int? auditDays, DateTimeOffset now, CancellationToken ct)
    {
        var erased = 0;
        if (peopleDays is { } days && days >= 0)
        {
            var before = now.AddDays(-days);
            List<long> due;
            await using (var db = contexts.Create(organizationId, Actor))
            {
                due = await db.People.Where(p => p.ArchivedAt != null && p.ArchivedAt < before && p.ErasedAt == null)
                    .OrderBy(p => p.Id).Select(p => p.Id).ToListAsync(ct);
            }
            foreach (var personId in due)
            {
                // One context and transaction per person: a failure leaves the others erased and is retried tomorrow.
                await using var db = contexts.Create(organizationId, Actor);
                if ((await PersonEraser.EraseAsync(db, personId, ct)).Outcome == EraseOutcome.Erased)
                {
                    erased++;
                }
            }
        }
        var deleted = 0;
        if (auditDays is { } keep && keep >= 0)
        {
            var before = now.AddDays(-keep);
            await using var db = contexts.Create(organizationId, Actor);
            deleted = await db.AuditEntries.Where(e => e.At < before).ExecuteDeleteAsync(ct);
        }
        return new RetentionReport.Organization(organizationId, erased, deleted);
    }
}
