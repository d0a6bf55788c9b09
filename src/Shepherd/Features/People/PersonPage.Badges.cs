using Microsoft.AspNetCore.Mvc;
using Shepherd.Features.Badges;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web.Ui;

namespace Shepherd.Features.People;

/// <summary>The award form: the badge type, the day (today when left empty), an optional note.</summary>
public sealed class AwardForm
{
    public long? BadgeTypeId { get; set; }
    public DateOnly? AwardedOn { get; set; }
    public string? Note { get; set; }
}

/// <summary>Badges on the profile: award and remove, with the rules of <see cref="BadgeAwards"/>.</summary>
public sealed partial class PersonPageModel
{
    [BindProperty]
    public AwardForm Award { get; set; } = new();

    public async Task<IActionResult> OnPostAwardBadgeAsync(long id, CancellationToken ct)
    {
        if (!User.Has(Permission.BadgesWrite))
        {
            return Forbid();
        }
        if (!await ReachableAsync(id, ct))
        {
            return NotFound();
        }
        var request = new BadgesApi.BadgeRequest { BadgeTypeId = Award.BadgeTypeId, AwardedOn = Award.AwardedOn, Note = Award.Note };
        var errors = await ApiValidation.ErrorsAsync(request, HttpContext.RequestServices, ct);
        AwardResult? result = null;
        if (errors.Count == 0)
        {
            result = await BadgeAwards.AwardAsync(db, id, request, User, clock, ct);
            if (result.Outcome == AwardOutcome.Invalid)
            {
                errors[result.Field!] = [result.Error!];
            }
        }
        if (errors.Count > 0 || result is null)
        {
            ModelState.AddErrors(errors, "Award");
            return await ShowAsync(id, ct) ?? (IActionResult)NotFound();
        }
        TempData.Success($"Awarded {result.Type!.Name}.");
        return Redirect($"/people/{id}#badges");
    }

    public async Task<IActionResult> OnPostRemoveBadgeAsync(long id, long badgeId, CancellationToken ct)
    {
        if (!User.Has(Permission.BadgesWrite))
        {
            return Forbid();
        }
        if (!await ReachableAsync(id, ct) || !await BadgeAwards.RevokeAsync(db, id, badgeId, ct))
        {
            return NotFound();
        }
        TempData.Success("Badge removed.");
        return Redirect($"/people/{id}#badges");
    }
}
