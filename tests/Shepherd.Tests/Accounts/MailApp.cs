namespace Shepherd.Tests.Accounts;

/// <summary>Shepherd on SQLite sending mail to a <see cref="SmtpTestServer"/>; sessions re-checked on every request.</summary>
public class MailApp : Infrastructure.SqliteApp
{
    public SmtpTestServer Smtp { get; private set; } = null!;

    public MailApp()
    {
        Settings["Shepherd:Web:SessionRevalidation"] = "00:00:00";
        Settings["Shepherd:Security:RateLimits:SignIn:PermitLimit"] = "1000";
        Settings["Shepherd:Security:RateLimits:PasswordReset:PermitLimit"] = "1000";
    }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Smtp = await SmtpTestServer.StartAsync();
        foreach (var (key, value) in Smtp.ShepherdSettings)
        {
            Settings[key] = value;
        }
    }

    /// <summary>A browser: keeps cookies, does not follow redirects.</summary>
    public HttpClient Browser() => CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The same, with links that expire the moment they are made.</summary>
public sealed class ExpiringLinksApp : MailApp
{
    public ExpiringLinksApp() => Settings["Shepherd:Accounts:LinkLifetime"] = "00:00:00";
}
