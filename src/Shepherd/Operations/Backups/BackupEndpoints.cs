using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Shepherd.Cli;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Api;

namespace Shepherd.Operations.Backups;

public sealed record BackupCheckResponse(string Name, bool Passed, string Detail);

public sealed record BackupVerificationResponse(DateTimeOffset VerifiedAt, bool Passed, double Seconds, long Rows, IReadOnlyList<BackupCheckResponse> Checks)
{
    public static BackupVerificationResponse From(BackupVerification v) =>
        new(v.VerifiedAt, v.Passed, Math.Round(v.Duration.TotalSeconds, 1), v.Rows, [.. v.Checks.Select(c => new BackupCheckResponse(c.Name, c.Passed, c.Detail))]);
}

/// <param name="Unreadable">Why the file is not a usable backup (damaged, truncated, not a backup); null for a good file.</param>
public sealed record BackupResponse(
    string Name, long Size, DateTimeOffset? CreatedAt, string? Label, string? Provider, string? SchemaVersion, string? ShepherdVersion,
    long? Rows, string? Unreadable, BackupVerificationResponse? Verification)
{
    public static BackupResponse From(BackupEntry e) => new(
        Path.GetFileName(e.File), e.Size, e.Manifest?.CreatedAt, e.Manifest?.Label, e.Manifest?.Provider.ToString(), e.Manifest?.SchemaVersion,
        e.Manifest?.ShepherdVersion, e.Manifest?.RowCounts.Values.Sum(), e.Unreadable,
        e.Verification is null ? null : BackupVerificationResponse.From(e.Verification));
}

public sealed record CreateBackupRequest(
    [property: StringLength(40)]
    [property: RegularExpression("^[A-Za-z0-9_-]+$", ErrorMessage = "Use letters, digits, '-' or '_' (it becomes part of the file name).")]
    string? Label);

/// <summary>
/// `/api/operations/backups`: what an administrator's backups page needs — list, download, take and verify backups.
/// Backups hold every organization's data, so only a platform administrator's token may use them. Restoring stays
/// a shell command (`shepherd backup restore`): it replaces the database under the running server.
/// </summary>
public static partial class BackupEndpoints
{
    public const string Route = "/api/operations/backups";

    public static void MapBackupEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Route).WithTags("Operations: backups").RequireAuthorization(ApiScopes.PlatformReadPolicy);
        group.MapGet("/", ListAsync);
        group.MapGet("/{name}", Download);
        group.MapPost("/", CreateAsync).RequireAuthorization(ApiScopes.PlatformWritePolicy);
        group.MapPost("/{name}/verify", VerifyAsync).RequireAuthorization(ApiScopes.PlatformWritePolicy);
    }

    private static async Task<Ok<IReadOnlyList<BackupResponse>>> ListAsync(BackupCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<BackupResponse>>([.. (await catalog.ListAsync(cancellationToken)).Select(BackupResponse.From)]);

    private static Results<PhysicalFileHttpResult, ProblemHttpResult> Download(string name, BackupFolder folder) =>
        Find(name, folder) is { } file
            ? TypedResults.PhysicalFile(file, "application/octet-stream", name, enableRangeProcessing: true)
            : NotFound(name);

    private static async Task<Results<Created<BackupResponse>, ValidationProblem>> CreateAsync(
        CreateBackupRequest? request, BackupWriter writer, BackupCatalog catalog, CancellationToken cancellationToken)
    {
        CreatedBackup created;
        try
        {
            created = await writer.CreateAsync(string.IsNullOrWhiteSpace(request?.Label) ? null : request.Label.Trim(), cancellationToken);
        }
        catch (CommandException e)
        {
            return ApiResults.Invalid("label", e.Message);
        }
        var entry = (await catalog.ListAsync(cancellationToken)).Single(b => b.File == created.File);
        return TypedResults.Created($"{Route}/{Uri.EscapeDataString(Path.GetFileName(created.File))}", BackupResponse.From(entry));
    }

    /// <summary>A real restore into a scratch database, as `shepherd backup verify`; 200 with the checks whether or not it passed.</summary>
    private static async Task<Results<Ok<BackupVerificationResponse>, ProblemHttpResult>> VerifyAsync(
        string name, BackupFolder folder, BackupVerifier verifier, CancellationToken cancellationToken) =>
        Find(name, folder) is { } file
            ? TypedResults.Ok(BackupVerificationResponse.From(await verifier.VerifyAsync(file, cancellationToken)))
            : NotFound(name);

    /// <summary>The backup file of that name in the backup folder; never a path elsewhere.</summary>
    private static string? Find(string name, BackupFolder folder)
    {
        if (!FileName().IsMatch(name) || Path.GetFileName(name) != name)
        {
            return null;
        }
        var file = Path.Combine(folder.Path, name);
        return File.Exists(file) ? file : null;
    }

    private static ProblemHttpResult NotFound(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Backup not found",
            detail: $"There is no backup named '{name}' in the backup folder. GET {Route} lists them.");

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}\.backup$")]
    private static partial Regex FileName();
}
