namespace Shepherd.Platform.Accounts;

/// <summary>Sign-in settings (<c>Shepherd:Accounts</c>).</summary>
public sealed class AccountOptions
{
    public const string Section = "Shepherd:Accounts";

    /// <summary>Wrong passwords in a row before the account is locked.</summary>
    public int LockoutAttempts { get; set; } = 5;

    /// <summary>How long a locked account stays locked.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    public static AccountOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<AccountOptions>() ?? new AccountOptions();
}
