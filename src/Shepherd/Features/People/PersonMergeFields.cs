using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Data.People;

namespace Shepherd.Features.People;

/// <summary>
/// The person's own fields in a merge: what the survivor lacks is filled from the duplicate, what both have and differ on
/// keeps the survivor's value and is said as a conflict (the person merging can swap which record survives).
/// </summary>
internal static class PersonMergeFields
{
    public static async Task AddAsync(MergePlan plan, ShepherdDbContext db, Person s, Person d, CancellationToken ct)
    {
        if (MergePlan.NameOf(s) != MergePlan.NameOf(d) || s.FirstName != d.FirstName || s.LastName != d.LastName)
        {
            plan.Conflict($"Name: keeps “{Full(s)}” (the duplicate is “{Full(d)}”).");
        }
        Text(plan, "middleName", "Middle name", s.MiddleName, d.MiddleName, v => s.MiddleName = v);
        Text(plan, "preferredName", "Preferred name", s.PreferredName, d.PreferredName, v => s.PreferredName = v);
        Text(plan, "suffix", "Suffix", s.Suffix, d.Suffix, v => s.Suffix = v);
        Date(plan, "birthDate", "Birth date", s.BirthDate, d.BirthDate, v => s.BirthDate = v);
        Date(plan, "joinDate", "Join date", s.JoinDate, d.JoinDate, v => s.JoinDate = v);
        if (s.Gender == Gender.Unknown && d.Gender != Gender.Unknown)
        {
            plan.Fill("gender", "Gender", d.Gender.ToString(), () => s.Gender = d.Gender);
        }
        if (s.MembershipStatus != d.MembershipStatus)
        {
            plan.Conflict($"Membership status: keeps {s.MembershipStatus} (the duplicate is {d.MembershipStatus}).");
        }
        if (s.CampusId is null && d.CampusId is { } campusId)
        {
            var campus = await db.Campuses.AsNoTracking().Where(c => c.Id == campusId).Select(c => c.Name).FirstOrDefaultAsync(ct);
            plan.Fill("campusId", "Campus", campus ?? campusId.ToString(CultureInfo.InvariantCulture), () => s.CampusId = campusId);
        }
        if (MergePlan.IsEmpty(s.Address) && !MergePlan.IsEmpty(d.Address))
        {
            var address = d.Address;
            plan.Fill("address", "Address", string.Join(", ", new[] { address.Street1, address.Street2, address.City, address.Region, address.PostalCode, address.Country }
                .Where(p => p is not null)), () => s.Address = address with { });
        }
        MedicalNote(plan, s, d);
        Consent(plan, s, d);
    }

    /// <summary>
    /// A medical note is never dropped silently: the duplicate's is added to the survivor's when both fit in one note,
    /// and said as a conflict when they do not.
    /// </summary>
    private static void MedicalNote(MergePlan plan, Person s, Person d)
    {
        if (d.MedicalNote is not { } theirs || theirs == s.MedicalNote)
        {
            return;
        }
        if (s.MedicalNote is not { } ours)
        {
            plan.Fill("medicalNote", "Medical note", theirs, () => s.MedicalNote = theirs);
            return;
        }
        var both = ours + "\n" + theirs;
        if (both.Length <= PersonRequest.MedicalNoteMaxLength)
        {
            plan.Fill("medicalNote", "Medical note", "adds “" + theirs + "”", () => s.MedicalNote = both);
        }
        else
        {
            plan.Conflict($"Medical note: keeps {MergePlan.NameOf(s)}'s; the duplicate's (“{theirs}”) does not fit beside it, so copy what matters by hand.");
        }
    }

    private static void Consent(MergePlan plan, Person s, Person d)
    {
        var filled = new Consent
        {
            Photo = s.Consent.Photo ?? d.Consent.Photo,
            PhotoAt = s.Consent.Photo is null ? d.Consent.PhotoAt : s.Consent.PhotoAt,
            Email = s.Consent.Email ?? d.Consent.Email,
            EmailAt = s.Consent.Email is null ? d.Consent.EmailAt : s.Consent.EmailAt,
            Sms = s.Consent.Sms ?? d.Consent.Sms,
            SmsAt = s.Consent.Sms is null ? d.Consent.SmsAt : s.Consent.SmsAt,
        };
        var given = new List<string>();
        if (s.Consent.Photo is null && d.Consent.Photo is { } photo)
        {
            given.Add("photos " + YesNo(photo));
        }
        if (s.Consent.Email is null && d.Consent.Email is { } email)
        {
            given.Add("e-mail " + YesNo(email));
        }
        if (s.Consent.Sms is null && d.Consent.Sms is { } sms)
        {
            given.Add("SMS " + YesNo(sms));
        }
        if (given.Count > 0)
        {
            // A new object, so EF sees the complex property change (as PersonWriter does).
            plan.Fill("consent", "Consent", string.Join(", ", given), () => s.Consent = filled);
        }
    }

    private static void Text(MergePlan plan, string field, string label, string? ours, string? theirs, Action<string> set)
    {
        if (ours is null && theirs is not null)
        {
            plan.Fill(field, label, theirs, () => set(theirs));
        }
    }

    private static void Date(MergePlan plan, string field, string label, DateOnly? ours, DateOnly? theirs, Action<DateOnly> set)
    {
        if (theirs is not { } value)
        {
            return;
        }
        if (ours is null)
        {
            plan.Fill(field, label, MergePlan.Day(value), () => set(value));
        }
        else if (ours != value)
        {
            plan.Conflict($"{label}: keeps {MergePlan.Day(ours.Value)} (the duplicate has {MergePlan.Day(value)}).");
        }
    }

    private static string Full(Person p) => string.Join(' ', new[] { p.FirstName, p.MiddleName, p.LastName }.Where(n => !string.IsNullOrWhiteSpace(n)));

    private static string YesNo(bool agreed) => agreed ? "agreed" : "refused";
}
