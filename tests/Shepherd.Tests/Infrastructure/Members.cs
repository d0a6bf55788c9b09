using System.Net.Http.Headers;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Accounts;
using Shepherd.Platform.Accounts;
using Shouldly;

namespace Shepherd.Tests.Infrastructure;

/// <summary>Users with a given role in an existing organization, each with an API token of their own.</summary>
public static class Members
{
    /// <summary>
    /// A new user who is a member of <paramref name="organizationId"/> with <paramref name="role"/> (linked to
    /// <paramref name="personId"/> when given), and a client holding a token of theirs with <paramref name="scopes"/>
    /// (read and write by default).
    /// </summary>
    public static async Task<ApiClient> NewMemberAsync(
        this ShepherdApp app, long organizationId, OrganizationRole role, long? personId = null, string[]? scopes = null)
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.org".ToLowerInvariant();
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ShepherdUser>>();
            var created = await users.CreateAsync(
                new ShepherdUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = now }, "correct horse battery staple");
            created.Succeeded.ShouldBeTrue(string.Join(" ", created.Errors.Select(e => e.Description)));
        }
        await using (var db = app.Database(organizationId))
        {
            var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
            db.Memberships.Add(new OrganizationMembership { UserId = userId, Role = role, PersonId = personId, CreatedAt = now });
            await db.SaveChangesAsync();
        }
        await using var tokenScope = app.Services.CreateAsyncScope();
        var token = await tokenScope.ServiceProvider.GetRequiredService<ApiTokenIssuer>()
            .IssueAsync(email, "tests", null, scopes ?? [ApiScopes.Read, ApiScopes.Write], null, CancellationToken.None);
        var http = app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return new ApiClient(http, organizationId, email, token.Token);
    }

    /// <summary>Changes the role of the member behind <paramref name="member"/>, or removes them from the organization (null).</summary>
    public static async Task SetRoleAsync(this ShepherdApp app, ApiClient member, OrganizationRole? role)
    {
        await using var db = app.Database(member.OrganizationId);
        var membership = await db.Memberships.SingleAsync(m => m.User!.Email == member.AdminEmail);
        if (role is { } newRole)
        {
            membership.Role = newRole;
        }
        else
        {
            db.Memberships.Remove(membership);
        }
        await db.SaveChangesAsync();
    }
}
