using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Shepherd.Data.Audit;
using Shepherd.Data.Tenancy;

namespace Shepherd.Data;

public sealed partial class ShepherdDbContext
{
    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        throw new NotSupportedException("Use SaveChangesAsync: Shepherd is async all the way.");

    /// <summary>
    /// Stamps tenancy, versions and times, refuses writes to another organization's rows, and writes the
    /// audit entries in the same transaction as the change. Audit entries themselves are append-only: a modified or
    /// deleted <see cref="AuditEntry"/> is refused. The only sanctioned changes bypass the change tracker on purpose
    /// and are narrow: the retention job deletes entries older than the organization's audit retention
    /// (<c>ExecuteDeleteAsync</c> in <c>RetentionJob</c>), and erasing a person redacts that person's values in earlier
    /// entries (<c>ExecuteUpdateAsync</c> in <c>PersonEraser</c>).
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var now = Clock.GetUtcNow();
        var audited = new List<(EntityEntry Entry, AuditAction Action, Dictionary<string, object?> Changes)>();
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
            {
                continue;
            }
            if (entry.Entity is AuditEntry && entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException(
                    $"The audit log is append-only: refusing to {(entry.State == EntityState.Deleted ? "delete" : "change")} audit entry {KeyOf(entry)}. " +
                    "Entries are only removed by the retention job and redacted by erasing a person.");
            }
            StampTenant(entry);
            Stamp(entry, now);
            if (entry.Entity is ITenantOwned and not AuditEntry)
            {
                // A new row is described after the save, when its keys and foreign keys are real rather than temporary.
                audited.Add((entry, ActionOf(entry.State), entry.State == EntityState.Added ? [] : DescribeChanges(entry, entry.State)));
            }
        }

        if (audited.Count == 0)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        // Keys of new rows exist only after the first save, so the audit rows are a second save in one transaction.
        var ownTransaction = Database.CurrentTransaction is null
            ? await Database.BeginTransactionAsync(cancellationToken)
            : null;
        try
        {
            var written = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            foreach (var (entry, action, described) in audited)
            {
                var changes = action == AuditAction.Created ? DescribeChanges(entry, EntityState.Added) : described;
                AuditEntries.Add(new AuditEntry
                {
                    OrganizationId = ((ITenantOwned)entry.Entity).OrganizationId,
                    At = now,
                    ActorUserId = Actor.UserId,
                    Actor = Actor.Name,
                    Action = action,
                    EntityType = entry.Metadata.ClrType.Name,
                    EntityId = KeyOf(entry),
                    Changes = changes.Count == 0 ? null : JsonSerializer.Serialize(changes),
                    IpAddress = Actor.IpAddress,
                });
            }
            await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            if (ownTransaction is not null)
            {
                await ownTransaction.CommitAsync(cancellationToken);
            }
            return written;
        }
        finally
        {
            if (ownTransaction is not null)
            {
                await ownTransaction.DisposeAsync();
            }
        }
    }

    private void StampTenant(EntityEntry entry)
    {
        if (entry.Entity is not ITenantOwned owned)
        {
            return;
        }
        if (entry.State == EntityState.Added && owned.OrganizationId == 0)
        {
            owned.OrganizationId = OrganizationId
                ?? throw new InvalidOperationException($"A {entry.Metadata.ClrType.Name} was added with no organization in scope.");
        }
        if (OrganizationId is { } current && owned.OrganizationId != current)
        {
            throw new InvalidOperationException(
                $"Refusing to write a {entry.Metadata.ClrType.Name} of organization {owned.OrganizationId} while acting for organization {current}.");
        }
    }

    private static void Stamp(EntityEntry entry, DateTimeOffset now)
    {
        if (entry.Entity is ITimestamped stamped)
        {
            if (entry.State == EntityState.Added)
            {
                stamped.CreatedAt = now;
            }
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                stamped.UpdatedAt = now;
            }
        }
        if (entry.Entity is IVersioned versioned && entry.State == EntityState.Modified)
        {
            versioned.Version++;
        }
    }

    private static AuditAction ActionOf(EntityState state) => state switch
    {
        EntityState.Added => AuditAction.Created,
        EntityState.Deleted => AuditAction.Deleted,
        _ => AuditAction.Updated,
    };

    private static Dictionary<string, object?> DescribeChanges(EntityEntry entry, EntityState state)
    {
        var changes = new Dictionary<string, object?>();
        foreach (var property in entry.Properties)
        {
            var meta = property.Metadata;
            if (meta.IsPrimaryKey() || meta.Name is nameof(ITenantOwned.OrganizationId) or nameof(IVersioned.Version)
                or nameof(ITimestamped.CreatedAt) or nameof(ITimestamped.UpdatedAt) || meta.IsShadowProperty())
            {
                continue;
            }
            var secret = meta.PropertyInfo?.GetCustomAttribute<NotAuditedAttribute>() is not null;
            switch (state)
            {
                case EntityState.Added when property.CurrentValue is not null:
                    changes[meta.Name] = secret ? "(not recorded)" : property.CurrentValue;
                    break;
                case EntityState.Modified when property.IsModified && !Equals(property.OriginalValue, property.CurrentValue):
                    changes[meta.Name] = secret
                        ? "(changed)"
                        : new Dictionary<string, object?> { ["from"] = property.OriginalValue, ["to"] = property.CurrentValue };
                    break;
                default:
                    break;
            }
        }
        // Complex properties (addresses) are reported as one value.
        foreach (var complex in entry.ComplexProperties)
        {
            if (state == EntityState.Modified && complex.IsModified)
            {
                changes[complex.Metadata.Name] = complex.CurrentValue;
            }
        }
        return changes;
    }

    private static string KeyOf(EntityEntry entry) =>
        string.Join(',', entry.Metadata.FindPrimaryKey()!.Properties
            .Select(p => Convert.ToString(entry.Property(p.Name).CurrentValue, CultureInfo.InvariantCulture)));
}
