using Microsoft.EntityFrameworkCore;
using Shepherd.Tests.Migrations;
using Shouldly;

namespace Shepherd.Tests.Cli;

/// <summary>`shepherd migrate` and `shepherd admin`, run as the real executable against a fresh database.</summary>
public abstract class MigrateAndAdminCommandTests
{
    protected abstract Task<CliDatabase> NewDatabaseAsync();

    [Fact]
    public async Task Migrate_status_lists_the_pending_migration_until_migrate_up_applies_it()
    {
        await using var db = await NewDatabaseAsync();

        var before = await db.RunAsync("migrate", "status");
        before.ExitCode.ShouldBe(0, before.ToString());
        before.Stdout.ShouldMatch(@"pending\s+\d+_Initial");
        before.Stdout.ShouldContain("Run `shepherd migrate up`");

        var up = await db.RunAsync("migrate", "up");
        up.ExitCode.ShouldBe(0, up.ToString());
        up.Stdout.ShouldMatch(@"applied\s+\d+_Initial");

        var after = await db.RunAsync("migrate", "status");
        after.ExitCode.ShouldBe(0, after.ToString());
        after.Stdout.ShouldContain($"Up to date: {ShepherdMigrations.Ids(db.Provider).Count} migrations applied.");
        after.Stdout.ShouldNotContain("pending");

        var again = await db.RunAsync("migrate", "up");
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Stdout.ShouldContain("Nothing to apply");
    }

    [Fact]
    public async Task Admin_create_then_admin_token_prints_a_token_alone_on_stdout()
    {
        await using var db = await NewDatabaseAsync();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);

        var created = await db.RunAsync("admin", "create", "--email", "pastor@grace.example", "--password", "correct horse battery", "--organization", "Grace Church");
        created.ExitCode.ShouldBe(0, created.ToString());
        created.Stdout.ShouldContain("Created organization 'Grace Church'");

        var token = await db.RunAsync("admin", "token", "--email", "pastor@grace.example", "--name", "website sync");
        token.ExitCode.ShouldBe(0, token.ToString());
        var lines = token.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Length.ShouldBe(1, token.ToString());
        lines[0].ShouldStartWith("shp_");
        token.Stderr.ShouldContain("shown only this once");

        await using var context = db.Context(null);
        (await context.ApiTokens.IgnoreQueryFilters().CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task Admin_create_with_a_short_password_fails_and_creates_nothing()
    {
        await using var db = await NewDatabaseAsync();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);

        var result = await db.RunAsync("admin", "create", "--email", "pastor@grace.example", "--password", "short", "--organization", "Grace Church");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("at least 10 characters");
        await using var context = db.Context(null);
        (await context.Organizations.CountAsync()).ShouldBe(0);
        (await context.Users.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Admin_reset_2fa_turns_two_factor_off_removes_passkeys_and_ends_sessions_and_an_unknown_email_is_named()
    {
        await using var db = await NewDatabaseAsync();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        (await db.RunAsync("admin", "create", "--email", "pastor@grace.example", "--password", "correct horse battery", "--organization", "Grace Church"))
            .ExitCode.ShouldBe(0);
        string stampBefore;
        await using (var context = db.Context(null))
        {
            await context.Users.ExecuteUpdateAsync(u => u.SetProperty(x => x.TwoFactorEnabled, true));
            var admin = await context.Users.SingleAsync();
            stampBefore = admin.SecurityStamp!;
            context.Set<Microsoft.AspNetCore.Identity.IdentityUserPasskey<long>>().Add(new()
            {
                UserId = admin.Id,
                CredentialId = [1, 2, 3, 4],
                Data = new() { PublicKey = [5, 6, 7], Name = "Lost phone", CreatedAt = DateTimeOffset.UnixEpoch, AttestationObject = [], ClientDataJson = [] },
            });
            await context.SaveChangesAsync();
        }

        var reset = await db.RunAsync("admin", "reset-2fa", "--email", "pastor@grace.example");
        var unknown = await db.RunAsync("admin", "reset-2fa", "--email", "nobody@grace.example");

        reset.ExitCode.ShouldBe(0, reset.ToString());
        reset.Stdout.ShouldContain("Two-factor sign-in is off for pastor@grace.example");
        reset.Stdout.ShouldContain("Removed 1 passkey(s) of pastor@grace.example");
        await using (var context = db.Context(null))
        {
            var user = await context.Users.SingleAsync();
            user.TwoFactorEnabled.ShouldBeFalse();
            user.SecurityStamp.ShouldNotBe(stampBefore, "open sessions end");
            (await context.Set<Microsoft.AspNetCore.Identity.IdentityUserPasskey<long>>().CountAsync()).ShouldBe(0, "a lost device's passkey goes too");
            (await context.AuditEntries.IgnoreQueryFilters().CountAsync(a => a.Action == Data.Audit.AuditAction.TwoFactorChanged)).ShouldBe(2, "two-factor off, passkey removed");
        }
        unknown.ExitCode.ShouldBe(1, unknown.ToString());
        unknown.Stderr.ShouldContain("No user has the e-mail address nobody@grace.example");
    }

    [Fact]
    public async Task Admin_token_for_an_unknown_email_fails_with_a_clear_message()
    {
        await using var db = await NewDatabaseAsync();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);

        var result = await db.RunAsync("admin", "token", "--email", "nobody@grace.example", "--name", "sync");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("No user with e-mail nobody@grace.example");
        result.Stdout.ShouldNotContain("shp_");
    }

    [Fact]
    public async Task Admin_token_with_an_unknown_scope_fails_and_issues_nothing()
    {
        await using var db = await NewDatabaseAsync();
        (await db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        (await db.RunAsync("admin", "create", "--email", "pastor@grace.example", "--password", "correct horse battery", "--organization", "Grace Church"))
            .ExitCode.ShouldBe(0);

        var result = await db.RunAsync("admin", "token", "--email", "pastor@grace.example", "--name", "sync", "--scope", "bogus");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("Unknown scope 'bogus'");
        await using var context = db.Context(null);
        (await context.ApiTokens.IgnoreQueryFilters().CountAsync()).ShouldBe(0);
    }
}

public sealed class SqliteMigrateAndAdminCommandTests : MigrateAndAdminCommandTests
{
    protected override Task<CliDatabase> NewDatabaseAsync() => Task.FromResult<CliDatabase>(new SqliteCliDatabase());

    [Fact]
    public async Task Admin_create_on_a_new_data_folder_migrates_the_embedded_database_itself()
    {
        await using var db = await NewDatabaseAsync();

        var result = await db.RunAsync("admin", "create", "--email", "pastor@grace.example", "--password", "correct horse battery", "--organization", "Grace Church");

        result.ExitCode.ShouldBe(0, result.ToString());
        var status = await db.RunAsync("migrate", "status");
        status.Stdout.ShouldContain("Up to date");
    }
}

public sealed class PostgresMigrateAndAdminCommandTests : MigrateAndAdminCommandTests
{
    protected override async Task<CliDatabase> NewDatabaseAsync() => await PostgresCliDatabase.CreateAsync();

    [Fact]
    public async Task Admin_create_before_migrate_up_is_refused_with_the_command_to_run()
    {
        await using var db = await NewDatabaseAsync();

        var result = await db.RunAsync("admin", "create", "--email", "pastor@grace.example", "--password", "correct horse battery", "--organization", "Grace Church");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("shepherd migrate up");
        var status = await db.RunAsync("migrate", "status");
        status.Stdout.ShouldContain("pending");
    }
}
