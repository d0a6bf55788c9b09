namespace Shepherd.Features.People;

/// <summary>One of the two records of a merge, with the version the preview was made from.</summary>
public sealed record MergeParty(long Id, string Name, int Version);

/// <summary>A field the survivor lacked, filled from the duplicate.</summary>
public sealed record MergeFill(string Field, string Label, string Value);

/// <summary>
/// What a merge moves to the survivor (or moved, when <see cref="Merged"/>), what it fills in, and where both records held
/// the same thing, said in plain sentences (<see cref="Conflicts"/>). The same record answers the dry run and the merge.
/// </summary>
/// <param name="Attendance">Attendance records moved to the survivor.</param>
/// <param name="AttendanceKeptOnce">Services both were at: the survivor's record is kept, the duplicate's removed.</param>
/// <param name="Families">Families the duplicate belonged to that the survivor joins, by name.</param>
/// <param name="Groups">Groups the duplicate belonged to that the survivor joins, by name.</param>
/// <param name="Notes">Every note about the duplicate, whoever may read it: they all move.</param>
/// <param name="CustomFields">Custom fields the survivor had no value for, by label.</param>
/// <param name="Emails">E-mail addresses the survivor did not have.</param>
/// <param name="Phones">Phone numbers the survivor did not have.</param>
/// <param name="AuthorizedPickups">Families where the duplicate was allowed to pick children up; the survivor is now.</param>
/// <param name="Photo">The duplicate's photo becomes the survivor's (the survivor had none).</param>
/// <param name="UserAccounts">User accounts linked to the duplicate, linked to the survivor instead.</param>
public sealed record MergePreview(
    MergeParty Survivor, MergeParty Duplicate,
    int Attendance, int AttendanceKeptOnce,
    IReadOnlyList<string> Families, IReadOnlyList<string> Groups,
    int Badges, int Notes, IReadOnlyList<string> CustomFields,
    IReadOnlyList<string> Emails, IReadOnlyList<string> Phones,
    int AuthorizedPickups, bool Photo, int UserAccounts,
    IReadOnlyList<MergeFill> Filled, IReadOnlyList<string> Conflicts, bool Merged)
{
    /// <summary>True when the duplicate holds nothing that moves and nothing is filled in: merging only archives it.</summary>
    public bool NothingMoves => Attendance == 0 && Families.Count == 0 && Groups.Count == 0 && Badges == 0 && Notes == 0
        && CustomFields.Count == 0 && Emails.Count == 0 && Phones.Count == 0 && AuthorizedPickups == 0 && !Photo && UserAccounts == 0
        && Filled.Count == 0;

    /// <summary>Counts only (no contact details, no names), for the audit entry.</summary>
    public object Summary() => new
    {
        Attendance,
        AttendanceKeptOnce,
        Families = Families.Count,
        Groups = Groups.Count,
        Badges,
        Notes,
        CustomFields = CustomFields.Count,
        Emails = Emails.Count,
        Phones = Phones.Count,
        AuthorizedPickups,
        Photo,
        UserAccounts,
        Filled = Filled.Select(f => f.Field).ToList(),
    };
}
