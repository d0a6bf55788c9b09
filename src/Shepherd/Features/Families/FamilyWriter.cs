using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Families;

namespace Shepherd.Features.Families;

/// <summary>
/// A family's own fields (name, address, home phone, campus, active) as POST/PUT /api/v1/families and the family pages
/// write them, after the checks the request's annotations cannot make.
/// </summary>
public static class FamilyWriter
{
    /// <summary>Field errors the database decides (the campus must be the organization's); empty when acceptable.</summary>
    public static async Task<Dictionary<string, string[]>> CheckAsync(FamilyRequest request, ShepherdDbContext db, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.CampusId is { } id && !await db.Campuses.AnyAsync(c => c.Id == id, ct))
        {
            errors["campusId"] = [$"There is no campus with id {id} in your organization."];
        }
        return errors;
    }

    public static void Apply(FamilyRequest request, Family family)
    {
        family.Name = request.Name!.Trim();
        family.Address = request.Address?.ToAddress() ?? new();
        family.HomePhone = string.IsNullOrWhiteSpace(request.HomePhone) ? null : request.HomePhone.Trim();
        family.CampusId = request.CampusId;
        family.Active = request.Active ?? true;
    }
}
