namespace Shepherd.Platform.Accounts;

/// <summary>How long the links Shepherd e-mails stay valid (<c>Shepherd:Accounts</c>, beside the sign-in settings).</summary>
public sealed class AccountLinkOptions
{
    /// <summary>Password reset and address confirmation links (Identity's data-protection tokens).</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Invitation links.</summary>
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    public static AccountLinkOptions From(IConfiguration configuration) =>
        configuration.GetSection(AccountOptions.Section).Get<AccountLinkOptions>() ?? new AccountLinkOptions();
}
