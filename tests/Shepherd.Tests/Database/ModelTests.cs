using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Database;

public sealed class ModelSqliteTests(SqliteApp app) : ModelTests<SqliteApp>(app);

public sealed class ModelPostgresTests(PostgresApp app) : ModelTests<PostgresApp>(app);

/// <summary>The model, the migrations and the tenancy rules of the data layer, on each provider.</summary>
public abstract class ModelTests<TApp>(TApp app) where TApp : ShepherdApp
{
    [Fact]
    public async Task The_generated_migrations_match_the_model()
    {
        await using var db = app.Database(organizationId: 1);

        db.Database.HasPendingModelChanges().ShouldBeFalse("run scripts/add-migration <Name> after changing the model");
        (await db.Database.GetPendingMigrationsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_context_sees_only_its_own_organizations_rows()
    {
        using var a = await app.NewOrganizationAsync();
        using var b = await app.NewOrganizationAsync();
        await a.CreateAsync("/api/v1/campuses", new { name = "A's campus" });
        await b.CreateAsync("/api/v1/campuses", new { name = "B's campus" });

        await using var db = app.Database(a.OrganizationId);

        (await db.Campuses.Select(c => c.Name).ToListAsync()).ShouldBe(["A's campus"]);
        (await db.Campuses.IgnoreQueryFilters().CountAsync(c => c.OrganizationId == b.OrganizationId)).ShouldBe(1);
    }

    [Fact]
    public async Task Writing_another_organizations_row_is_refused_before_it_reaches_the_database()
    {
        using var a = await app.NewOrganizationAsync();
        using var b = await app.NewOrganizationAsync();
        var theirs = await b.CreateAsync("/api/v1/campuses", new { name = "B's campus" });
        await using var db = app.Database(a.OrganizationId);
        var campus = await db.Campuses.IgnoreQueryFilters().SingleAsync(c => c.Id == theirs["id"]!.GetValue<long>());

        campus.Name = "Taken over";
        await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync());

        db.ChangeTracker.Clear();
        (await b.GetJsonAsync($"/api/v1/campuses/{theirs["id"]}"))["name"]!.GetValue<string>().ShouldBe("B's campus");
    }

    [Fact]
    public async Task A_context_without_an_organization_sees_no_tenant_rows()
    {
        using var a = await app.NewOrganizationAsync();
        await a.CreateAsync("/api/v1/campuses", new { name = "Somewhere" });

        await using var db = app.Services.GetRequiredService<ShepherdDbContextFactory>().Create(null, Shepherd.Data.Audit.AuditActor.System);

        (await db.Campuses.CountAsync()).ShouldBe(0);
    }
}
