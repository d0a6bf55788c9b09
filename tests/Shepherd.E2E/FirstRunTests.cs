using Microsoft.Playwright;
using Shepherd.E2E.Infrastructure;
using Shouldly;

namespace Shepherd.E2E;

/// <summary>A brand-new server (nobody has an account): /setup asks for the code the server printed.</summary>
public sealed class FirstRunTests(Chromium chromium, FirstRunTests.EmptyServer server) : BrowserTest(chromium, server), IClassFixture<FirstRunTests.EmptyServer>
{
    [Fact]
    public async Task Setup_refuses_a_wrong_code_and_with_the_printed_code_creates_the_administrator_signed_in()
    {
        var browser = await OpenAsync("/signin");
        await browser.GoToAsync("/setup");
        await browser.Page.GetByRole(AriaRole.Heading, new() { Name = "Set up Shepherd" }).WaitForAsync();
        await browser.AssertAccessibleAsync();

        await FillSetupAsync(browser, "AAAA-BBBB-CCCC");
        (await browser.AlertAsync()).ShouldStartWith("That setup code is not right.");
        browser.Path.ShouldBe("/setup");
        (await browser.Page.GetByLabel("Your e-mail address").InputValueAsync()).ShouldBe("admin@grace.example");

        await FillSetupAsync(browser, await Server.SetupCodeAsync());

        // Administrators must set up two-factor sign-in first: the new one lands there, signed in.
        await browser.ShouldBeAtAsync("/account/two-factor");
        await browser.Page.GetByRole(AriaRole.Heading, new() { Name = "Two-factor sign-in", Level = 1 }).WaitForAsync();
        (await browser.Page.Locator("header.site .who").InnerTextAsync()).ShouldBe("admin@grace.example");
        await browser.AssertNoProblemsAsync();

        // Setup is closed now: another visitor is sent to sign in.
        var stranger = await OpenAsync();
        await stranger.Page.GotoAsync("/setup");
        stranger.Path.ShouldBe("/signin");
    }

    private static async Task FillSetupAsync(BrowserPage browser, string code)
    {
        var page = browser.Page;
        await page.GetByLabel("Setup code").FillAsync(code);
        await page.GetByLabel("Organization").FillAsync("Grace Church");
        await page.GetByLabel("Your e-mail address").FillAsync("admin@grace.example");
        await page.GetByLabel("Password (at least 10 characters)").FillAsync(ShepherdServer.Password);
        await page.GetByLabel("Password again").FillAsync(ShepherdServer.Password);
        await browser.SubmitAsync("Create administrator");
    }

    /// <summary>A server on an empty database, as after installing.</summary>
    public sealed class EmptyServer : ShepherdServer;
}
