using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Shepherd.Data;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Features.People;

/// <summary>POST /api/v1/people/{id}/merge: merge a duplicate into person {id}, or preview what would move (dryRun).</summary>
public static class PersonMergeApi
{
    public sealed record MergeRequest
    {
        /// <summary>The duplicate record: it is archived, and everything it holds moves to person {id}.</summary>
        [Required]
        public long? DuplicateId { get; init; }

        /// <summary>true: answer what would move and change nothing.</summary>
        public bool DryRun { get; init; }
    }

    public static void MapPersonMergeApi(this RouteGroupBuilder people) =>
        people.MapPost("/{id:long}/merge", MergeAsync).RequirePermission(Permission.PeopleMerge);

    private static async Task<Results<Ok<MergePreview>, ValidationProblem, ProblemHttpResult>> MergeAsync(
        long id, MergeRequest request, ShepherdDbContext db, CancellationToken ct)
    {
        var duplicateId = request.DuplicateId!.Value;
        var result = await PersonMerge.RunAsync(db, id, duplicateId, request.DryRun, ct);
        return result.Outcome switch
        {
            MergeOutcome.Previewed or MergeOutcome.Merged => TypedResults.Ok(result.Preview!),
            MergeOutcome.SurvivorNotFound => ApiResults.NotFound("Person", id),
            MergeOutcome.DuplicateNotFound => ApiResults.NotFound("Person", duplicateId),
            MergeOutcome.Refused when duplicateId == id => ApiResults.Invalid("duplicateId", result.Problem!),
            _ => ApiResults.Conflict(result.Problem!),
        };
    }
}
