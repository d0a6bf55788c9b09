using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;
using Shepherd.Features.Attendance;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.CheckIn;

/// <summary>
/// /checkin/checkout: a child goes home only with the code on the parent's pickup label, or with an authorized pickup
/// of the child's family whom the volunteer has recognised. Find today's check-ins by that code (the children it
/// releases are listed, one tap checks them out) or by the family search (then the code is typed, or a pickup chosen).
/// Several children of a family go out in one transaction, or none do; the check itself is <see cref="CheckOutRecorder"/>,
/// the same as the API's. Works without JavaScript.
/// </summary>
[RequirePermission(Permission.CheckIn)]
public sealed partial class CheckOutPageModel(ShepherdDbContext db, TimeProvider clock) : PageModel
{
    public const string Path = "/checkin/checkout";

    /// <summary>The code from a pickup label, to find the children it releases.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Code { get; set; }

    /// <summary>A family search (phone digits or name), for a parent without the label.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IReadOnlyList<TodaysCheckIn> ByCode { get; private set; } = [];

    public IReadOnlyList<FamilyCheckIns> Families { get; private set; } = [];

    public string? Problem { get; private set; }

    public bool Searched => !string.IsNullOrWhiteSpace(Code) || !string.IsNullOrWhiteSpace(Q);

    public sealed class InputModel
    {
        /// <summary>"serviceId:personId" of each check-in to end.</summary>
        public List<string> Selected { get; set; } = [];

        [StringLength(8, ErrorMessage = "A security code is at most 8 letters or digits.")]
        public string? SecurityCode { get; set; }

        /// <summary>An authorized pickup of the family instead of the code.</summary>
        public long? PickupId { get; set; }

        /// <summary>Whose form was sent, to show that family alone when it is refused.</summary>
        public long? FamilyId { get; set; }
    }

    /// <summary>A family found by the search, its check-ins today and who else may collect its children.</summary>
    public sealed record FamilyCheckIns(KioskFamilySearch.KioskFamily Family, IReadOnlyList<TodaysCheckIn> CheckIns);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var targets = new List<(long ServiceId, long PersonId)>();
        foreach (var key in Input.Selected.Distinct())
        {
            if (Parse(key) is not { } target)
            {
                ModelState.AddModelError("Input.Selected", "Choose the children from the list.");
                break;
            }
            targets.Add(target);
        }
        if (targets.Count == 0 && ModelState.IsValid)
        {
            ModelState.AddModelError("Input.Selected", "Choose who is being picked up.");
        }
        if (targets.Count > TodaysCheckIns.Limit)
        {
            ModelState.AddModelError("Input.Selected", $"Check out at most {TodaysCheckIns.Limit} people at once.");
        }
        if (!ModelState.IsValid)
        {
            return await RefusedAsync(ct);
        }

        var personIds = targets.Select(t => t.PersonId).ToList();
        var names = await db.People.AsNoTracking().Where(p => personIds.Contains(p.Id))
            .Select(p => new { p.Id, Name = (p.PreferredName ?? p.FirstName) + " " + p.LastName })
            .ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var scope = CallerScope.For(User, db);
        var released = new List<string>();
        foreach (var (serviceId, personId) in targets)
        {
            var outcome = await CheckOutRecorder.ApplyAsync(db, scope, clock, User, new CheckOutCommand(serviceId, personId, Input.SecurityCode, Input.PickupId, null), ct);
            var name = names.GetValueOrDefault(personId, "Someone");
            switch (outcome)
            {
                case CheckOutOutcome.CheckedOut:
                    released.Add(name);
                    break;
                case CheckOutOutcome.NotFound:
                    // Not a check-in of this organization (or of this leader's groups): nothing to show of it.
                    return NotFound();
                case CheckOutOutcome.AlreadyCheckedOut:
                    ModelState.AddModelError("Input.Selected", $"{name} was already checked out.");
                    break;
                case CheckOutOutcome.Invalid { Field: "authorizedPickupId" } invalid:
                    AddOnce("Input.PickupId", $"That person is not on the pickup list of {name}’s family.");
                    break;
                case CheckOutOutcome.Invalid invalid:
                    AddOnce("Input.SecurityCode", invalid.Message);
                    break;
            }
        }
        if (!ModelState.IsValid)
        {
            // One refusal keeps every child of the family in: the changes made to the others are dropped, unsaved.
            db.ChangeTracker.Clear();
            return await RefusedAsync(ct);
        }
        await db.SaveChangesAsync(ct);
        TempData.Success($"Checked out {Join(released)}.");
        return Redirect(Path);
    }

    private async Task<PageResult> RefusedAsync(CancellationToken ct)
    {
        ModelState.AddModelError("", "Nobody was checked out.");
        await LoadAsync(ct);
        if (Input.FamilyId is { } familyId)
        {
            Families = [.. Families.Where(f => f.Family.Id == familyId)];
        }
        return Page();
    }

    private void AddOnce(string key, string message)
    {
        if (ModelState[key] is not { Errors.Count: > 0 })
        {
            ModelState.AddModelError(key, message);
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var scope = CallerScope.For(User, db);
        if (!string.IsNullOrWhiteSpace(Code))
        {
            if (!CodePattern().IsMatch(Code.Trim()))
            {
                Problem = "A security code is 3 to 8 letters or digits, as printed on the pickup label.";
                return;
            }
            ByCode = await TodaysCheckIns.WithCodeAsync(Code, db, scope, clock, ct);
            if (ByCode.Count == 0)
            {
                Problem = $"Nobody checked in today has the code {Code.Trim().ToUpperInvariant()}. Check the label, or find the family instead.";
            }
            return;
        }
        if (string.IsNullOrWhiteSpace(Q))
        {
            return;
        }
        if (!User.Has(Permission.CheckInSearch))
        {
            Problem = "Your role may not search families: use the code on the pickup label.";
            return;
        }
        if (await KioskFamilySearch.FindAsync(Q, db, clock, ct) is not { } families)
        {
            Problem = KioskFamilySearch.Rule;
            return;
        }
        var checkIns = await TodaysCheckIns.OfPeopleAsync([.. families.SelectMany(f => f.Members).Select(m => m.PersonId).Distinct()], db, scope, clock, ct);
        Families = [.. families.Select(f => new FamilyCheckIns(f, [.. checkIns.Where(c => f.Members.Any(m => m.PersonId == c.PersonId))]))];
        if (Families.Count == 0)
        {
            Problem = "No family found. Try the family name, or other phone digits.";
        }
    }

    private static (long ServiceId, long PersonId)? Parse(string? key)
    {
        var parts = key?.Split(':') ?? [];
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var service) && service > 0
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var person) && person > 0
            ? (service, person)
            : null;
    }

    public static string Join(IReadOnlyList<string> names) =>
        names.Count <= 1 ? string.Concat(names) : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1];

    [GeneratedRegex(SecurityCodes.Pattern)]
    private static partial Regex CodePattern();
}
