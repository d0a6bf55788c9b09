using Microsoft.Playwright;

namespace Shepherd.E2E.Infrastructure;

/// <summary>
/// Base of a browser test class: opens pages in fresh browser contexts on the class's server, signs users in through
/// the sign-in form, and closes every context it opened when the test ends.
/// </summary>
public abstract class BrowserTest(Chromium chromium, ShepherdServer server) : IAsyncDisposable
{
    private readonly List<BrowserPage> _pages = [];

    protected ShepherdServer Server { get; } = server;

    /// <summary>A new page in a browser context of its own (no cookies), on the server's address.</summary>
    protected async Task<BrowserPage> OpenAsync(string? path = null)
    {
        var page = await BrowserPage.OpenAsync(chromium.Browser, Server.Address);
        _pages.Add(page);
        if (path is not null)
        {
            await page.GoToAsync(path);
        }
        return page;
    }

    /// <summary>Fills and sends the password form on /signin, as a person would.</summary>
    protected static async Task SubmitPasswordAsync(BrowserPage browser, string email, string password)
    {
        if (browser.Path != "/signin")
        {
            await browser.GoToAsync("/signin");
        }
        var form = browser.Page.Locator("#password-form");
        await form.GetByLabel("E-mail address").FillAsync(email);
        await form.GetByLabel("Password").FillAsync(password);
        await browser.SubmitAsync(form.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }));
    }

    /// <summary>A new page already signed in as <paramref name="account"/> (a user without two-factor sign-in), showing /account.</summary>
    protected async Task<BrowserPage> SignedInAsync(Account account)
    {
        var browser = await OpenAsync("/signin");
        await SubmitPasswordAsync(browser, account.Email, account.Password);
        await browser.ShouldBeAtAsync("/account");
        return browser;
    }

    /// <summary>Presses the header's Sign out button and waits for the sign-in page.</summary>
    protected static async Task SignOutAsync(BrowserPage browser)
    {
        await browser.SubmitAsync(browser.Page.Locator("header.site").GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }));
        await browser.ShouldBeAtAsync("/signin");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var page in _pages)
        {
            await page.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}
