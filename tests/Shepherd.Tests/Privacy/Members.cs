using System.Net.Http.Headers;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data.Accounts;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Privacy;

/// <summary>Another member of an organization with a given role, and an HTTP client holding their read+write token.</summary>
public static class Members
{
    public static async Task<HttpClient> WithRoleAsync(ShepherdApp app, ApiClient admin, OrganizationRole role)
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.org".ToLowerInvariant();
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ShepherdUser>>();
        var user = new ShepherdUser { UserName = email, Email = email, CreatedAt = TimeProvider.System.GetUtcNow() };
        (await users.CreateAsync(user)).Succeeded.ShouldBeTrue();
        string organization;
        await using (var db = app.Database(admin.OrganizationId))
        {
            db.Memberships.Add(new OrganizationMembership { UserId = user.Id, Role = role, CreatedAt = TimeProvider.System.GetUtcNow() });
            await db.SaveChangesAsync();
            organization = await db.Organizations.Where(o => o.Id == admin.OrganizationId).Select(o => o.Name).SingleAsync();
        }
        var token = await scope.ServiceProvider.GetRequiredService<ApiTokenIssuer>()
            .IssueAsync(email, "tests", organization, [ApiScopes.Read, ApiScopes.Write], null, CancellationToken.None);
        var http = app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return http;
    }
}
