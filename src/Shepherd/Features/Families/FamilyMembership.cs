using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.Families;
using Shepherd.Data.People;

namespace Shepherd.Features.Families;

public enum MembershipOutcome { Done, FamilyNotFound, PersonNotFound, NotAMember, AlreadyAMember, PickupNotFound, NameMissing }

public sealed record MembershipResult(MembershipOutcome Outcome, FamilyMember? Member = null, AuthorizedPickup? Pickup = null);

/// <summary>
/// Who is in a family and who may collect its children, for the family API (FamilyMembersApi) and the family page alike:
/// a person is in a family once, in one role; a pickup is someone on file or just a name.
/// </summary>
public static class FamilyMembership
{
    public const string PickupNameMissing = "Give the name of the person, or the personId of someone on file.";

    public static async Task<MembershipResult> AddAsync(ShepherdDbContext db, long familyId, long personId, FamilyRole role, CancellationToken ct)
    {
        if (!await db.Families.AnyAsync(f => f.Id == familyId, ct))
        {
            return new MembershipResult(MembershipOutcome.FamilyNotFound);
        }
        var person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null)
        {
            return new MembershipResult(MembershipOutcome.PersonNotFound);
        }
        if (await db.FamilyMembers.AnyAsync(m => m.FamilyId == familyId && m.PersonId == personId, ct))
        {
            return new MembershipResult(MembershipOutcome.AlreadyAMember);
        }
        var member = new FamilyMember { FamilyId = familyId, PersonId = personId, Role = role };
        db.FamilyMembers.Add(member);
        await db.SaveChangesAsync(ct);
        member.Person = person;
        return new MembershipResult(MembershipOutcome.Done, member);
    }

    public static async Task<MembershipResult> ChangeRoleAsync(ShepherdDbContext db, long familyId, long personId, FamilyRole role, CancellationToken ct)
    {
        var member = await db.FamilyMembers.Include(m => m.Person).FirstOrDefaultAsync(m => m.FamilyId == familyId && m.PersonId == personId, ct);
        if (member is null)
        {
            return await MissingAsync(db, familyId, ct);
        }
        member.Role = role;
        await db.SaveChangesAsync(ct);
        return new MembershipResult(MembershipOutcome.Done, member);
    }

    public static async Task<MembershipResult> RemoveAsync(ShepherdDbContext db, long familyId, long personId, CancellationToken ct)
    {
        var member = await db.FamilyMembers.FirstOrDefaultAsync(m => m.FamilyId == familyId && m.PersonId == personId, ct);
        if (member is null)
        {
            return await MissingAsync(db, familyId, ct);
        }
        db.FamilyMembers.Remove(member);
        await db.SaveChangesAsync(ct);
        return new MembershipResult(MembershipOutcome.Done, member);
    }

    public static async Task<MembershipResult> AddPickupAsync(ShepherdDbContext db, long familyId, AuthorizedPickupRequest request, CancellationToken ct)
    {
        if (!await db.Families.AnyAsync(f => f.Id == familyId, ct))
        {
            return new MembershipResult(MembershipOutcome.FamilyNotFound);
        }
        Person? person = null;
        if (request.PersonId is { } personId)
        {
            person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct);
            if (person is null)
            {
                return new MembershipResult(MembershipOutcome.PersonNotFound);
            }
        }
        else if (string.IsNullOrWhiteSpace(request.Name))
        {
            return new MembershipResult(MembershipOutcome.NameMissing);
        }
        var pickup = NewPickup(request, person);
        pickup.FamilyId = familyId;
        db.AuthorizedPickups.Add(pickup);
        await db.SaveChangesAsync(ct);
        return new MembershipResult(MembershipOutcome.Done, Pickup: pickup);
    }

    public static async Task<MembershipResult> RemovePickupAsync(ShepherdDbContext db, long familyId, long pickupId, CancellationToken ct)
    {
        var pickup = await db.AuthorizedPickups.FirstOrDefaultAsync(p => p.FamilyId == familyId && p.Id == pickupId, ct);
        if (pickup is null)
        {
            return new MembershipResult(await db.Families.AnyAsync(f => f.Id == familyId, ct) ? MembershipOutcome.PickupNotFound : MembershipOutcome.FamilyNotFound);
        }
        db.AuthorizedPickups.Remove(pickup);
        await db.SaveChangesAsync(ct);
        return new MembershipResult(MembershipOutcome.Done, Pickup: pickup);
    }

    /// <summary>A pickup from the request; a person on file gives the name when the request leaves it out.</summary>
    public static AuthorizedPickup NewPickup(AuthorizedPickupRequest request, Person? person) => new()
    {
        PersonId = person?.Id,
        Name = string.IsNullOrWhiteSpace(request.Name)
            ? $"{(string.IsNullOrWhiteSpace(person!.PreferredName) ? person.FirstName : person.PreferredName)} {person.LastName}"
            : request.Name.Trim(),
        Relationship = string.IsNullOrWhiteSpace(request.Relationship) ? null : request.Relationship.Trim(),
        Phone = string.IsNullOrWhiteSpace(request.Phone) ? null : request.Phone.Trim(),
    };

    private static async Task<MembershipResult> MissingAsync(ShepherdDbContext db, long familyId, CancellationToken ct) =>
        new(await db.Families.AnyAsync(f => f.Id == familyId, ct) ? MembershipOutcome.NotAMember : MembershipOutcome.FamilyNotFound);
}
