using System.Linq.Expressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Shepherd.Data.Accounts;
using Shepherd.Data.Alerting;
using Shepherd.Data.Attendance;
using Shepherd.Data.Audit;
using Shepherd.Data.Badges;
using Shepherd.Data.CustomFields;
using Shepherd.Data.Families;
using Shepherd.Data.Groups;
using Shepherd.Data.Notes;
using Shepherd.Data.Organizations;
using Shepherd.Data.People;
using Shepherd.Data.Services;
using Shepherd.Data.Tenancy;

namespace Shepherd.Data;

/// <summary>
/// One model for SQLite and PostgreSQL. Pooled: per-unit-of-work state (<see cref="OrganizationId"/>,
/// <see cref="Actor"/>) is set by <see cref="ShepherdDbContextFactory"/> every time a context is handed out.
/// </summary>
public sealed partial class ShepherdDbContext(DbContextOptions<ShepherdDbContext> options)
    : IdentityDbContext<ShepherdUser, IdentityRole<long>, long>(options)
{
    /// <summary>The organization this unit of work sees. Null sees no tenant rows at all.</summary>
    public long? OrganizationId { get; set; }

    public AuditActor Actor { get; set; } = AuditActor.System;

    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<Campus> Campuses => Set<Campus>();
    public DbSet<Person> People => Set<Person>();
    public DbSet<PersonEmail> PersonEmails => Set<PersonEmail>();
    public DbSet<PersonPhone> PersonPhones => Set<PersonPhone>();
    public DbSet<PersonPhoto> PersonPhotos => Set<PersonPhoto>();
    public DbSet<Family> Families => Set<Family>();
    public DbSet<FamilyMember> FamilyMembers => Set<FamilyMember>();
    public DbSet<AuthorizedPickup> AuthorizedPickups => Set<AuthorizedPickup>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();
    public DbSet<BadgeType> BadgeTypes => Set<BadgeType>();
    public DbSet<Badge> Badges => Set<Badge>();
    public DbSet<Service> Services => Set<Service>();
    public DbSet<ServiceSchedule> ServiceSchedules => Set<ServiceSchedule>();
    public DbSet<AttendanceRecord> Attendance => Set<AttendanceRecord>();
    public DbSet<Note> Notes => Set<Note>();
    public DbSet<CustomFieldDefinition> CustomFields => Set<CustomFieldDefinition>();
    public DbSet<CustomFieldValue> CustomFieldValues => Set<CustomFieldValue>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<OrganizationMembership> Memberships => Set<OrganizationMembership>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<AlertRuleSetting> AlertRuleSettings => Set<AlertRuleSetting>();
    public DbSet<AlertIncident> AlertIncidents => Set<AlertIncident>();
    public DbSet<AlertChannel> AlertChannels => Set<AlertChannel>();
    public DbSet<AlertSilence> AlertSilences => Set<AlertSilence>();
    public DbSet<AlertMaintenanceWindow> AlertMaintenanceWindows => Set<AlertMaintenanceWindow>();
    public DbSet<AlertNotification> AlertNotifications => Set<AlertNotification>();
    public DbSet<AlertEvaluatorLease> AlertEvaluatorLeases => Set<AlertEvaluatorLease>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Short, bounded text unless a mapping says otherwise: a too-long value fails validation, not the database.
        configurationBuilder.Properties<string>().HaveMaxLength(200);
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
        if (Database.IsSqlite())
        {
            // SQLite cannot compare or sort DateTimeOffset stored as text; as a number it can, and all values are UTC.
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ShepherdDbContext).Assembly);
        ConfigureAccountTables(builder);

        foreach (var entityType in builder.Model.GetEntityTypes())
        {
            var clr = entityType.ClrType;
            if (typeof(ITenantOwned).IsAssignableFrom(clr))
            {
                // No foreign key to organizations: EF would give every table a single-column organization_id index,
                // and SQLite's planner (measured on 4.4 million attendance rows) picks it over the selective
                // person or service index and scans the whole organization. SaveChangesAsync guarantees the column.
                builder.Entity(clr).HasQueryFilter(TenantFilter(clr));
            }
            if (typeof(IVersioned).IsAssignableFrom(clr))
            {
                builder.Entity(clr).Property(nameof(IVersioned.Version)).IsConcurrencyToken();
            }
        }
    }

    private static void ConfigureAccountTables(ModelBuilder builder)
    {
        // Identity's own column lengths (256 for names, unbounded hashes and stamps) stay as Identity defines them.
        builder.Entity<ShepherdUser>(u =>
        {
            u.ToTable("users");
            u.Property(x => x.PasswordHash).HasMaxLength(500);
            u.Property(x => x.SecurityStamp).HasMaxLength(100);
            u.Property(x => x.ConcurrencyStamp).HasMaxLength(100);
            u.Property(x => x.PhoneNumber).HasMaxLength(50);
        });
        builder.Entity<IdentityRole<long>>(r =>
        {
            r.ToTable("roles");
            r.Property(x => x.ConcurrencyStamp).HasMaxLength(100);
        });
        builder.Entity<IdentityUserRole<long>>().ToTable("user_roles");
        builder.Entity<IdentityUserLogin<long>>().ToTable("user_logins");
        builder.Entity<IdentityUserClaim<long>>(c =>
        {
            c.ToTable("user_claims");
            c.Property(x => x.ClaimValue).HasMaxLength(2000);
        });
        builder.Entity<IdentityRoleClaim<long>>(c =>
        {
            c.ToTable("role_claims");
            c.Property(x => x.ClaimValue).HasMaxLength(2000);
        });
        builder.Entity<IdentityUserToken<long>>(t =>
        {
            t.ToTable("user_tokens");
            t.Property(x => x.Value).HasMaxLength(2000);
        });
        // Passkeys (WebAuthn credentials) as Identity's schema version 3 maps them. Identity picks its schema version from
        // the options of the application's service provider, which a design-time or pooled context may not have; mapping
        // the table here keeps one model wherever the context is built.
        builder.Entity<IdentityUserPasskey<long>>(p =>
        {
            p.ToTable("user_passkeys");
            p.HasKey(x => x.CredentialId);
            p.Property(x => x.CredentialId).HasMaxLength(1024);
            p.OwnsOne(x => x.Data).ToJson();
            p.HasOne<ShepherdUser>().WithMany().HasForeignKey(x => x.UserId).IsRequired();
        });
    }

    private LambdaExpression TenantFilter(Type entity)
    {
        // e => e.OrganizationId == this.OrganizationId; EF reads the property per query, so each pooled lease sees its own tenant.
        var e = Expression.Parameter(entity, "e");
        var column = Expression.Convert(Expression.Property(e, nameof(ITenantOwned.OrganizationId)), typeof(long?));
        var current = Expression.Property(Expression.Constant(this), nameof(OrganizationId));
        return Expression.Lambda(Expression.Equal(column, current), e);
    }
}
