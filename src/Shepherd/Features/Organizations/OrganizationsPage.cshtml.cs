using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shepherd.Data;
using Shepherd.Platform.Accounts;

namespace Shepherd.Features.Organizations;

/// <summary>
/// The platform administrator's list of organizations and the form that creates one (the same rules as
/// POST /api/platform/organizations): a name, a time zone and the first administrator, invited by e-mail.
/// </summary>
[Authorize(Policy = ApiScopes.PlatformReadPolicy)]
public sealed class OrganizationsPageModel(ShepherdDbContextFactory contexts, OrganizationProvisioning provisioning, TimeProvider clock) : PageModel
{
    public const string Path = "/platform/organizations";

    public IReadOnlyList<OrganizationsApi.OrganizationResponse> Organizations { get; private set; } = [];

    public OrganizationsApi.CreatedOrganization? Created { get; private set; }

    public IDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? AdministratorEmail { get; set; }

    [BindProperty]
    public string? TimeZone { get; set; } = "UTC";

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Organizations = await OrganizationsApi.ListAsync(contexts, clock, cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!User.HasClaim(ApiScopes.ClaimType, ApiScopes.Write))
        {
            return Forbid();
        }
        var outcome = await provisioning.CreateAsync(new(Name, AdministratorEmail, TimeZone), User, AuditLog.ClientIp(HttpContext), cancellationToken);
        if (outcome.Created is { } created)
        {
            Created = created;
            Name = AdministratorEmail = null;
            TimeZone = "UTC";
            ModelState.Clear();
        }
        else
        {
            Errors = outcome.Errors ?? new Dictionary<string, string[]> { ["name"] = [outcome.Conflict!] };
        }
        Organizations = await OrganizationsApi.ListAsync(contexts, clock, cancellationToken);
        return Page();
    }
}
