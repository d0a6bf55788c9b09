using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Audit;

namespace Shepherd.Data;

/// <summary>The only way to get a context: leases one from the pool and sets whom it acts for.</summary>
public sealed class ShepherdDbContextFactory(IDbContextFactory<ShepherdDbContext> pool, TimeProvider clock)
{
    public ShepherdDbContext Create(TenantContext tenant) => Create(tenant.OrganizationId, tenant.Actor);

    public ShepherdDbContext Create(long? organizationId, AuditActor actor)
    {
        var context = pool.CreateDbContext();
        context.OrganizationId = organizationId;
        context.Actor = actor;
        context.Clock = clock;
        return context;
    }
}
