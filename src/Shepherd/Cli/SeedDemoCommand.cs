using System.CommandLine;

namespace Shepherd.Cli;

/// <summary>`shepherd seed-demo` (being written).</summary>
public sealed class SeedDemoCommand : Command
{
    public SeedDemoCommand() : base("seed-demo", "Fill an organization with realistic demo data.")
    {
    }
}
