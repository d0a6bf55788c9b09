using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shepherd.Data;
using Shepherd.Features.Tokens;
using Shepherd.Platform.Accounts;

namespace Shepherd.Platform.Web;

/// <summary>
/// The signed-in person's API tokens: the list (never a token's text), creating one (its text shown once), revoking.
/// The same rules as /api/v1/tokens (<see cref="TokensApi"/>): one's role must allow managing tokens, and a token gets
/// at most the scopes of the session that creates it.
/// </summary>
public sealed class TokensModel(ShepherdDbContext db, TimeProvider clock) : PageModel
{
    public const string Path = "/account/tokens";

    public IReadOnlyList<TokensApi.TokenResponse> Tokens { get; private set; } = [];

    /// <summary>Set right after creating: the token's text, shown this once.</summary>
    public TokensApi.CreatedTokenResponse? Created { get; private set; }

    public bool MayManage { get; private set; }

    public bool MayGrantMonitoring { get; private set; }

    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    public string? Message { get; private set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public List<string> Scopes { get; set; } = [];

    [BindProperty]
    public int? ExpiresInDays { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        User.Has(Permission.TokensRead) ? await ShowAsync(cancellationToken) : Forbid();

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        if (!User.Has(Permission.TokensManage) || User.UserId() is null)
        {
            return Forbid();
        }
        var request = new TokensApi.TokenRequest(Name, [.. Scopes], ExpiresInDays);
        var errors = ModelState.IsValid ? TokensApi.Validate(User, request) : new Dictionary<string, string[]>
        {
            ["expiresInDays"] = [$"Expiry must be a whole number of days from 1 to {TokensApi.MaxExpiresInDays}, or empty."],
        };
        if (errors.Count > 0)
        {
            Errors = errors;
            return await ShowAsync(cancellationToken);
        }
        Created = await TokensApi.CreateAsync(db, User, request, clock, cancellationToken);
        Name = null;
        Scopes = [];
        ExpiresInDays = null;
        ModelState.Clear();
        return await ShowAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken cancellationToken)
    {
        if (!User.Has(Permission.TokensManage))
        {
            return Forbid();
        }
        Message = await TokensApi.RevokeAsync(db, User, id, clock, cancellationToken)
            ? "The token is revoked: it stops working now."
            : "There is no such token of yours.";
        return await ShowAsync(cancellationToken);
    }

    private async Task<IActionResult> ShowAsync(CancellationToken cancellationToken)
    {
        MayManage = User.Has(Permission.TokensManage);
        MayGrantMonitoring = TokensApi.MayGrant(User, ApiScopes.Monitoring);
        Tokens = await TokensApi.ListAsync(db, User.UserId(), cancellationToken);
        return Page();
    }
}
