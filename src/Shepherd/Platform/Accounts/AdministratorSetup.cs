using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Shepherd.Cli;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Data.Organizations;

namespace Shepherd.Platform.Accounts;

/// <param name="PlatformAdministrator">The user runs the instance itself (backups over the API), not only an organization.</param>
public sealed record CreatedAdministrator(string Email, long OrganizationId, string OrganizationName, bool OrganizationCreated, bool PlatformAdministrator);

/// <summary>
/// Creates an organization's administrator, and the organization itself when it is new, in one transaction.
/// Uses the scoped context that the user manager also saves through, so one transaction covers both.
/// The first user of an instance is also its platform administrator: the person who installed it, who looks after
/// what spans every organization (backups). Others become one only when asked.
/// </summary>
public sealed class AdministratorSetup(ShepherdDbContext db, UserManager<ShepherdUser> users, TimeProvider clock)
{
    public async Task<CreatedAdministrator> CreateAsync(
        string email, string password, string organizationName, CancellationToken cancellationToken, bool platformAdministrator = false)
    {
        organizationName = organizationName.Trim();
        if (organizationName.Length is 0 or > 200)
        {
            throw new CommandException("--organization must be 1 to 200 characters, e.g. --organization \"Grace Church\".");
        }

        db.OrganizationId = null;
        db.Actor = new AuditActor(null, "cli");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Name == organizationName, cancellationToken);
        var organizationCreated = organization is null;
        if (organization is null)
        {
            organization = new Organization { Name = organizationName };
            db.Organizations.Add(organization);
            await db.SaveChangesAsync(cancellationToken);
        }

        var firstUser = !await db.Users.AnyAsync(cancellationToken);
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new ShepherdUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = clock.GetUtcNow() };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                throw new CommandException(Describe(created));
            }
        }
        else if (!await users.CheckPasswordAsync(user, password))
        {
            throw new CommandException($"{email} already exists with a different password; give their current password to add them to '{organizationName}'.");
        }

        if ((platformAdministrator || firstUser) && !user.IsPlatformAdministrator)
        {
            user.IsPlatformAdministrator = true;
            await users.UpdateAsync(user);
        }

        db.OrganizationId = organization.Id;
        db.Actor = new AuditActor(user.Id, $"{email} (cli)");
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == user.Id, cancellationToken);
        if (membership is null)
        {
            db.Memberships.Add(new OrganizationMembership { UserId = user.Id, Role = OrganizationRole.Administrator, CreatedAt = clock.GetUtcNow() });
        }
        else
        {
            membership.Role = OrganizationRole.Administrator;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CreatedAdministrator(email, organization.Id, organization.Name, organizationCreated, user.IsPlatformAdministrator);
    }

    private static string Describe(IdentityResult result) =>
        "Cannot create the user: " + string.Join(" ", result.Errors.Select(e => e.Description));
}
