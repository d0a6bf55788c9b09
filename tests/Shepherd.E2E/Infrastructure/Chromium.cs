using Microsoft.Playwright;
using Shepherd.E2E.Infrastructure;

// One Chromium for the whole run; every test gets a fresh browser context of its own.
[assembly: AssemblyFixture(typeof(Chromium))]

namespace Shepherd.E2E.Infrastructure;

/// <summary>
/// Debian's Chromium (installed by scripts/deps), driven by Playwright's bundled node driver. Playwright's own browser
/// download is never used: the machine has no internet, so the executable is named explicitly.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string Executable = "/usr/bin/chromium";

    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        // Without these Chromium keeps calling home (updates, sync, safe browsing), which a closed network refuses.
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: run scripts/deps (it installs Debian's chromium package).");
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = Arguments,
            Timeout = 60_000,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
    }
}
