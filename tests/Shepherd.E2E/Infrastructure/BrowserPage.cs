using System.Collections.Concurrent;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Shouldly;

namespace Shepherd.E2E.Infrastructure;

/// <summary>
/// One page in a fresh browser context (its own cookies), watching for what a person would not see but a broken page
/// shows: console errors, uncaught script errors and Content-Security-Policy violations.
/// </summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private const string Binding = "__shepherdCspViolation";

    // Runs before any script of the page (CDP's addScriptToEvaluateOnNewDocument, which CSP does not apply to).
    // A call without a violation is the flush in AssertNoProblemsAsync.
    private const string WatchCsp = $$"""
        document.addEventListener('securitypolicyviolation', e =>
          window.{{Binding}}(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber),
          true);
        """;

    private readonly ConcurrentQueue<string> _problems;

    private BrowserPage(IBrowserContext context, IPage page, ConcurrentQueue<string> problems)
    {
        _problems = problems;
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _problems.Enqueue($"console error on {page.Url}: {message.Text} ({message.Location})");
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                _problems.Enqueue($"{response.Status} for {response.Request.Method} {response.Url} (a subresource or a page)");
            }
        };
        page.PageError += (_, error) => _problems.Enqueue($"script error on {page.Url}: {error}");
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>What went wrong so far (console errors, script errors, CSP violations).</summary>
    public IReadOnlyList<string> Problems => [.. _problems];

    public static async Task<BrowserPage> OpenAsync(IBrowser browser, Uri baseAddress)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString() });
        // Bounded waits: a missing element fails the test in seconds, not at the runner's timeout.
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(30_000);
        var problems = new ConcurrentQueue<string>();
        await context.ExposeFunctionAsync(Binding, (string? violation) =>
        {
            if (violation is not null)
            {
                problems.Enqueue("CSP violation: " + violation);
            }
        });
        await context.AddInitScriptAsync(WatchCsp);
        return new BrowserPage(context, await context.NewPageAsync(), problems);
    }

    /// <summary>Opens <paramref name="path"/> and checks the server answered with a page.</summary>
    public async Task GoToAsync(string path)
    {
        var response = await Page.GotoAsync(path);
        response.ShouldNotBeNull();
        response.Ok.ShouldBeTrue($"GET {path}: {response.Status}");
    }

    /// <summary>
    /// Presses a form's button and waits until the answer page has loaded (forms post and redirect; no script runs), so
    /// the next step acts on the new page and not on the one being left.
    /// </summary>
    public async Task SubmitAsync(ILocator button)
    {
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLoad(object? sender, IPage page) => loaded.TrySetResult();
        Page.Load += OnLoad;
        try
        {
            await button.ClickAsync();
            await loaded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            Page.Load -= OnLoad;
        }
    }

    /// <summary>Presses the button named <paramref name="name"/> (exactly) and waits for the answer page.</summary>
    public Task SubmitAsync(string name) => SubmitAsync(Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true }));

    /// <summary>The page's path, e.g. /account.</summary>
    public string Path => new Uri(Page.Url).AbsolutePath;

    /// <summary>The text of the role=alert message, waiting for it to appear.</summary>
    public async Task<string> AlertAsync() => (await Page.GetByRole(AriaRole.Alert).InnerTextAsync()).Trim();

    /// <summary>Waits until the browser shows <paramref name="path"/>.</summary>
    public Task ShouldBeAtAsync(string path) =>
        Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == path);

    /// <summary>Fails when the page so far logged a console error, threw, or broke its Content-Security-Policy.</summary>
    public async Task AssertNoProblemsAsync()
    {
        await FlushAsync();
        Problems.ShouldBeEmpty();
    }

    /// <summary>Waits until the violations the current document reported so far are in <see cref="Problems"/>.</summary>
    public async Task FlushAsync() =>
        // Bindings are delivered in order: once this call returns, every earlier violation report has arrived.
        await Page.EvaluateAsync($"() => window.{Binding}(null)");

    /// <summary>Runs axe on the page as it is now and fails on any serious or critical violation.</summary>
    public async Task AssertAccessibleAsync() => (await SeriousAccessibilityProblemsAsync()).ShouldBeEmpty($"axe on {Path}");

    /// <summary>The serious and critical violations axe finds on the page as it is now, one line each.</summary>
    public async Task<IReadOnlyList<string>> SeriousAccessibilityProblemsAsync()
    {
        var result = await Page.RunAxe();
        return [.. result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")];
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
