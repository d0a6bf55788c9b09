using Shouldly;

namespace Shepherd.Tests.Cli;

/// <summary>The command line itself: help, mistyped commands, and serve refusing a PostgreSQL setting without a connection string.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task Help_lists_every_command_and_exits_zero()
    {
        var help = await ShepherdProcess.RunAsync(new Dictionary<string, string?>(), "--help");

        help.ExitCode.ShouldBe(0, help.ToString());
        foreach (var command in new[] { "serve", "migrate", "admin", "seed-demo" })
        {
            help.Stdout.ShouldContain(command);
        }
    }

    [Fact]
    public async Task A_mistyped_command_is_named_instead_of_starting_a_server()
    {
        var result = await ShepherdProcess.RunAsync(new Dictionary<string, string?>(), "mgirate", "status");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("Unknown command 'mgirate'");
        result.Stderr.ShouldContain("shepherd --help");
    }

    [Fact]
    public async Task Postgres_without_a_connection_string_names_the_setting_to_fix()
    {
        await using var db = new SqliteCliDatabase();
        var environment = new Dictionary<string, string?>(db.Environment) { ["Shepherd__Database__Provider"] = "Postgres" };

        var result = await ShepherdProcess.RunAsync(environment, "migrate", "status");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("ConnectionStrings__Shepherd");
        result.Stderr.ShouldNotContain("   at ");
    }
}
