namespace Shepherd.Operations.Jobs;

/// <summary>
/// <c>Shepherd:Jobs:Enabled</c>: whether `serve` runs the background jobs (default true). A deployment with several
/// `serve` replicas sets it to false there and runs one `shepherd worker`, which always runs them: the job store is
/// in memory, so every process with jobs on would back up on its own.
/// </summary>
public sealed class JobsOptions
{
    public const string Section = "Shepherd:Jobs";

    public bool Enabled { get; set; } = true;
}
