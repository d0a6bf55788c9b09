using Shepherd.Data.Audit;

namespace Shepherd.Data;

/// <summary>Who the current request or command acts for: the organization it may see and the actor for the audit log.</summary>
public sealed class TenantContext
{
    public long? OrganizationId { get; set; }
    public AuditActor Actor { get; set; } = AuditActor.System;
}
