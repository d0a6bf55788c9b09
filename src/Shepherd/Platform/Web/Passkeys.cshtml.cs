using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shepherd.Data.Accounts;
using Shepherd.Platform.Accounts;

namespace Shepherd.Platform.Web;

/// <summary>The signed-in user's passkeys: the list, adding one (the browser's creation ceremony), renaming, removing.</summary>
[RequestSizeLimit(64 * 1024)]
public sealed class PasskeysModel(Passkeys passkeys, AccountSessions accounts, UserManager<ShepherdUser> users, TimeProvider clock) : PageModel
{
    public const string Path = "/account/passkeys";
    public const string OptionsPath = Path + "?handler=Options";

    public IReadOnlyList<UserPasskeyInfo> List { get; private set; } = [];

    /// <summary>The organization requires two-factor sign-in for this member's role and the passkeys are their only second factor.</summary>
    public bool LastSecondFactor { get; private set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? CredentialJson { get; set; }

    [BindProperty]
    public string? Id { get; set; }

    public string? Error { get; private set; }

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await CurrentUserAsync() is { } user ? await ShowAsync(user) : Forbid();

    /// <summary>The creation options for <c>navigator.credentials.create</c>, as JSON; the challenge goes into the ceremony cookie.</summary>
    public async Task<IActionResult> OnPostOptionsAsync()
    {
        if (await CurrentUserAsync() is not { } user)
        {
            return Forbid();
        }
        var options = await Passkeys.CreationOptionsAsync(HttpContext, user);
        PasskeyCeremony.Start(HttpContext, PasskeyCeremony.Register, user.Id, options.AttestationState ?? "");
        return Content(options.CreationOptionsJson, "application/json");
    }

    public async Task<IActionResult> OnPostAddAsync(CancellationToken cancellationToken)
    {
        if (await CurrentUserAsync() is not { } user)
        {
            return Forbid();
        }
        var name = Name?.Trim() ?? "";
        var problem = name.Length is 0 or > Passkeys.MaxNameLength
            ? $"Give the passkey a name of 1 to {Passkeys.MaxNameLength} characters (say, which device it is on)."
            : Passkeys.ShapeProblem(CredentialJson, "clientDataJSON", "attestationObject");
        var ceremony = problem is null ? PasskeyCeremony.Take(HttpContext, PasskeyCeremony.Register) : null;
        if (problem is null && (ceremony is null || ceremony.UserId != user.Id))
        {
            problem = "Adding this passkey took too long or was already done. Press “Add a passkey” again.";
        }
        if (problem is not null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Error = problem;
            return await ShowAsync(user);
        }
        Error = await passkeys.AddAsync(HttpContext, user, name, CredentialJson!, ceremony!.Json, AuditLog.ClientIp(HttpContext), cancellationToken);
        Message = Error is null ? $"Passkey “{name}” added. You can sign in with it now." : null;
        return await ShowAsync(user);
    }

    public async Task<IActionResult> OnPostRenameAsync(CancellationToken cancellationToken)
    {
        if (await CurrentUserAsync() is not { } user)
        {
            return Forbid();
        }
        var name = Name?.Trim() ?? "";
        if (Passkeys.FromBase64Url(Id ?? "") is not { } id || name.Length is 0 or > Passkeys.MaxNameLength)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Error = $"Choose a passkey and give it a name of 1 to {Passkeys.MaxNameLength} characters.";
            return await ShowAsync(user);
        }
        if (!await passkeys.RenameAsync(user, id, name, AuditLog.ClientIp(HttpContext), cancellationToken))
        {
            return NotFound();
        }
        Message = $"Passkey renamed to “{name}”.";
        return await ShowAsync(user);
    }

    public async Task<IActionResult> OnPostRemoveAsync(CancellationToken cancellationToken)
    {
        if (await CurrentUserAsync() is not { } user)
        {
            return Forbid();
        }
        if (Passkeys.FromBase64Url(Id ?? "") is not { } id)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Error = "Choose a passkey to remove.";
            return await ShowAsync(user);
        }
        if (await users.GetPasskeyAsync(user, id) is null)
        {
            return NotFound();
        }
        await ShowAsync(user);
        if (LastSecondFactor && List.Count == 1)
        {
            Error = "Your organization requires two-factor sign-in for your role and this passkey is your only second factor. "
                + "Add another passkey or set up an authenticator app first.";
            return Page();
        }
        await passkeys.RemoveAsync(user, id, AuditLog.ClientIp(HttpContext), cancellationToken);
        // Removing a passkey ends the sessions opened with it (a lost device); this one stays.
        await WebSession.KeepAfterStampChangeAsync(this, accounts, clock, cancellationToken);
        Message = "Passkey removed. It no longer signs in to Shepherd; you can also delete it from the device.";
        return await ShowAsync(user);
    }

    private async Task<ShepherdUser?> CurrentUserAsync() =>
        User.HasClaim(c => c.Type == ApiScopes.TokenIdClaim) || User.UserId() is not { } id
            ? null
            : await users.FindByIdAsync(id.ToString(CultureInfo.InvariantCulture));

    private async Task<PageResult> ShowAsync(ShepherdUser user)
    {
        var fresh = await users.FindByIdAsync(user.Id.ToString(CultureInfo.InvariantCulture)) ?? user;
        List = await passkeys.ListAsync(fresh);
        var organization = User.FindFirst(ApiScopes.OrganizationClaim)?.Value;
        var memberships = await HttpContext.RequestServices.GetRequiredService<SessionClaims>().MembershipsAsync(user.Id, HttpContext.RequestAborted);
        LastSecondFactor = !fresh.TwoFactorEnabled
            && memberships.Any(m => m.TwoFactorRequired && m.OrganizationId.ToString(CultureInfo.InvariantCulture) == organization);
        return Page();
    }
}
