using System.Globalization;
using Shepherd.Platform.Accounts;

namespace Shepherd.Platform.Web;

/// <summary>What the sign-in pages tell the person at the keyboard.</summary>
public static class SignInMessages
{
    /// <summary>What went wrong, in words for the person at the keyboard; null when they are signed in.</summary>
    /// <param name="providers">The external providers' names, for members whose organization turned passwords off.</param>
    public static string? Describe(PasswordSignInResult result, DateTimeOffset now, string? providers = null) =>
        result.Outcome switch
        {
            PasswordSignInOutcome.SignedIn => null,
            PasswordSignInOutcome.LockedOut => LockedOutMessage(result.LockedUntil, now),
            PasswordSignInOutcome.NoOrganization => "This account does not belong to any organization yet. Ask an administrator to invite you.",
            PasswordSignInOutcome.PasswordsDisabled => providers is null
                ? "Your organization signs in through its identity provider, not with a password."
                : $"Your organization signs in through {providers}, not with a password: use the button below.",
            _ => "That e-mail address and password do not match an account.",
        };

    private static string LockedOutMessage(DateTimeOffset? until, DateTimeOffset now)
    {
        if (until is not { } end)
        {
            return "This account is locked. Ask an administrator to unlock it.";
        }
        var minutes = Math.Max(1, (int)Math.Ceiling((end - now).TotalMinutes));
        return string.Create(CultureInfo.InvariantCulture,
            $"Too many failed attempts: this account is locked until {end.UtcDateTime:HH:mm} UTC (about {minutes} min). Try again then, or ask an administrator.");
    }
}
