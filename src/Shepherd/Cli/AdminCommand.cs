using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Accounts;
using Shepherd.Platform.Accounts;

namespace Shepherd.Cli;

/// <summary>`shepherd admin create|token|reset-2fa`: the first administrator, API tokens and account recovery, from the shell.</summary>
public sealed class AdminCommand : Command
{
    public AdminCommand() : base("admin", "Create administrators and API tokens from the shell.")
    {
        Subcommands.Add(CreateCommand());
        Subcommands.Add(TokenCommand());
        Subcommands.Add(ResetTwoFactorCommand());
    }

    private static Command ResetTwoFactorCommand()
    {
        var email = new Option<string>("--email") { Description = "The user who lost their authenticator app and recovery codes.", Required = true };
        var command = new Command("reset-2fa", "Turn a user's two-factor sign-in off and remove their passkeys (lost phone); they set it up again at their next sign-in.") { email };
        command.SetAction((parse, ct) => CliHost.RunAsync(async sp =>
        {
            var address = parse.GetValue(email)!.Trim();
            var user = await sp.GetRequiredService<UserManager<ShepherdUser>>().FindByEmailAsync(address)
                ?? throw new CommandException($"No user has the e-mail address {address}. Check the spelling; `shepherd admin create` makes a new administrator.");
            var wasOn = user.TwoFactorEnabled;
            await sp.GetRequiredService<TwoFactor>().TurnOffAsync(user, "cli reset-2fa", null, ct);
            var passkeys = await sp.GetRequiredService<Passkeys>().RemoveAllAsync(user, "cli reset-2fa", null, ct);
            if (passkeys > 0)
            {
                Console.WriteLine($"Removed {passkeys} passkey(s) of {address}.");
            }
            Console.WriteLine(wasOn
                ? $"Two-factor sign-in is off for {address}: their authenticator key and recovery codes no longer work, and their open sessions end. " +
                  "They sign in with their password and set it up again (their organization may require it)."
                : $"Two-factor sign-in was not on for {address}; their key and recovery codes were cleared and open sessions end anyway.");
            return 0;
        }));
        return command;
    }

    private static Command CreateCommand()
    {
        var email = new Option<string>("--email") { Description = "The administrator's e-mail address (their sign-in name).", Required = true };
        var password = new Option<string>("--password") { Description = "At least 10 characters.", Required = true };
        var organization = new Option<string>("--organization") { Description = "The organization's name; created if it does not exist.", Required = true };
        var platform = new Option<bool>("--platform-administrator")
        {
            Description = "Also make them a platform administrator, who manages what spans all organizations (backups). The first user always is.",
        };
        var command = new Command("create", "Create an organization's administrator (and the organization if it is new).") { email, password, organization, platform };
        command.SetAction((parse, ct) => CliHost.RunAsync(async sp =>
        {
            var created = await sp.GetRequiredService<AdministratorSetup>().CreateAsync(
                parse.GetValue(email)!, parse.GetValue(password)!, parse.GetValue(organization)!, ct, parse.GetValue(platform));
            Console.WriteLine(created.OrganizationCreated
                ? $"Created organization '{created.OrganizationName}' (id {created.OrganizationId}) and administrator {created.Email}."
                : $"Added administrator {created.Email} to organization '{created.OrganizationName}' (id {created.OrganizationId}).");
            if (created.PlatformAdministrator)
            {
                Console.WriteLine($"{created.Email} is a platform administrator: they also manage backups (/api/operations/backups), organizations (/platform/organizations) and monitoring tokens.");
            }
            Console.WriteLine($"Next: `shepherd admin token --email {created.Email} --name <name>` prints an API token.");
            return 0;
        }));
        return command;
    }

    private static Command TokenCommand()
    {
        var email = new Option<string>("--email") { Description = "The user the token acts for.", Required = true };
        var name = new Option<string>("--name") { Description = "What the token is for, e.g. 'website sync'.", Required = true };
        var organization = new Option<string?>("--organization") { Description = "Needed when the user belongs to more than one organization." };
        var scopes = new Option<string[]>("--scope")
        {
            Description = "read, write or monitoring; repeat for several (default: read and write).",
            AllowMultipleArgumentsPerToken = true,
        };
        var days = new Option<int?>("--expires-in-days") { Description = "Days until the token stops working (default: never)." };
        var command = new Command("token", "Print a new API token for a user (shown once, stored hashed).") { email, name, organization, scopes, days };
        command.SetAction((parse, ct) => CliHost.RunAsync(async sp =>
        {
            var requested = parse.GetValue(scopes) is { Length: > 0 } s ? s : [ApiScopes.Read, ApiScopes.Write];
            var issued = await sp.GetRequiredService<ApiTokenIssuer>().IssueAsync(
                parse.GetValue(email)!, parse.GetValue(name)!, parse.GetValue(organization), requested, parse.GetValue(days), ct);
            // The token alone on stdout, so scripts can capture it; the explanation on stderr.
            await Console.Error.WriteLineAsync(
                $"Token '{issued.Name}' for {issued.Email} in '{issued.OrganizationName}', scopes: {string.Join(' ', issued.Scopes)}. " +
                "It is shown only this once; send it as `Authorization: Bearer <token>`.");
            Console.WriteLine(issued.Token);
            return 0;
        }));
        return command;
    }
}
