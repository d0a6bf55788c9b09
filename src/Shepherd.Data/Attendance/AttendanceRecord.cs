using Shepherd.Data.People;
using Shepherd.Data.Services;
using Shepherd.Data.Tenancy;

namespace Shepherd.Data.Attendance;

public enum CheckInMethod { List, Kiosk, Api, Import }

/// <summary>A person at a service. For children, a security code printed on the label is needed to check out.</summary>
public sealed class AttendanceRecord : ITenantOwned
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public long PersonId { get; set; }
    public long ServiceId { get; set; }
    /// <summary>Copy of the service's date, so per-person history and reports need no join.</summary>
    public DateOnly ServiceDate { get; set; }
    public DateTimeOffset CheckedInAt { get; set; }
    public DateTimeOffset? CheckedOutAt { get; set; }
    public long? CheckedInByUserId { get; set; }
    public long? CheckedOutByUserId { get; set; }
    /// <summary>The adult who collected a child, by name, as confirmed at check-out.</summary>
    public string? PickedUpBy { get; set; }
    public string? SecurityCode { get; set; }
    public CheckInMethod Method { get; set; }
    /// <summary>
    /// An id the client chose (the kiosk, before it knows whether the server is reachable): sending the same check-in
    /// again answers the record already made instead of a second one.
    /// </summary>
    public Guid? ClientId { get; set; }
    public Person? Person { get; set; }
    public Service? Service { get; set; }
}
