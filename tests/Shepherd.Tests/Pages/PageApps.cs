using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Accounts;
using Shepherd.Platform.Web;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Web;
using Shouldly;

namespace Shepherd.Tests.Pages;

/// <summary>Shepherd for the page tests: many sign-ins from one client, sessions re-checked on every request.</summary>
public interface IPageApp
{
    /// <summary>A browser: keeps cookies, does not follow redirects (the tests look at them).</summary>
    HttpClient Browser();
}

public sealed class PagesSqliteApp : SqliteApp, IPageApp
{
    public PagesSqliteApp() => PageSettings.Apply(Settings);

    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
}

public sealed class PagesPostgresApp : PostgresApp, IPageApp
{
    public PagesPostgresApp() => PageSettings.Apply(Settings);

    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
}

internal static class PageSettings
{
    public static void Apply(IDictionary<string, string?> settings)
    {
        settings[$"{WebSessionOptions.Section}:{nameof(WebSessionOptions.SessionRevalidation)}"] = "00:00:00";
        // The sign-in rate limit has tests of its own (Security/); these sign in many times from one client.
        settings["Shepherd:Security:RateLimits:SignIn:PermitLimit"] = "1000";
    }
}

/// <summary>
/// A signed-in browser: a new organization (two-factor not required, so every role reaches its pages), its
/// administrator's API client for setting up data, and a browser session of <see cref="Role"/>.
/// </summary>
public sealed class PageSession : IDisposable
{
    private PageSession(ApiClient admin, ApiClient user, HttpClient browser, OrganizationRole role)
    {
        Admin = admin;
        User = user;
        Browser = browser;
        Role = role;
    }

    /// <summary>The organization's administrator, through the API with a read/write token.</summary>
    public ApiClient Admin { get; }

    /// <summary>The signed-in user (the administrator for <see cref="OrganizationRole.Administrator"/>).</summary>
    public ApiClient User { get; }

    public HttpClient Browser { get; }

    public OrganizationRole Role { get; }

    public long OrganizationId => Admin.OrganizationId;

    /// <summary>A new organization and a browser signed in as <paramref name="role"/> (linked to <paramref name="personId"/> when given).</summary>
    public static async Task<PageSession> StartAsync<TApp>(TApp app, OrganizationRole role = OrganizationRole.Administrator)
        where TApp : ShepherdApp, IPageApp
    {
        var admin = await app.NewOrganizationAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using (var db = app.Database(admin.OrganizationId))
        {
            await db.Organizations.Where(o => o.Id == admin.OrganizationId).ExecuteUpdateAsync(o => o.SetProperty(x => x.TwoFactorRequiredRoles, ""));
        }
        var user = role == OrganizationRole.Administrator ? admin : await app.NewMemberAsync(admin.OrganizationId, role);
        var browser = app.Browser();
        using (var signedIn = await WebForms.SignInWithPasswordAsync(browser, user.AdminEmail, "correct horse battery staple"))
        {
            signedIn.StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect, $"{role} signs in");
        }
        return new PageSession(admin, user, browser, role);
    }

    /// <summary>Another browser of the same organization, signed in as a new member with <paramref name="role"/>.</summary>
    public async Task<PageSession> AsAsync<TApp>(TApp app, OrganizationRole role, long? personId = null) where TApp : ShepherdApp, IPageApp
    {
        var user = await app.NewMemberAsync(OrganizationId, role, personId);
        var browser = app.Browser();
        using (var signedIn = await WebForms.SignInWithPasswordAsync(browser, user.AdminEmail, "correct horse battery staple"))
        {
            signedIn.StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect, $"{role} signs in");
        }
        return new PageSession(Admin, user, browser, role);
    }

    /// <summary>GETs a page that must answer 200 and parses it.</summary>
    public async Task<IDocument> PageAsync(string url)
    {
        using var response = await Browser.GetAsync(url, TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, $"{url}: {Html.Text(html)[..Math.Min(400, Html.Text(html).Length)]}");
        return Html.Parse(html);
    }

    /// <summary>Gets <paramref name="page"/>, posts its form (the one with <paramref name="formSelector"/>) with the fields, and answers the response.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string page, Dictionary<string, string> fields, string? action = null) =>
        await WebForms.PostAsync(Browser, page, fields, action);

    /// <summary>Posts a form and follows the redirect it answers with (post, redirect, get), answering the page it lands on.</summary>
    public async Task<IDocument> SubmitAsync(string page, Dictionary<string, string> fields, string? action = null)
    {
        using var response = await PostFormAsync(page, fields, action);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect, $"the form on {page} was accepted: {Html.ErrorsOf(body)}");
        return await PageAsync(response.Headers.Location!.ToString());
    }

    public void Dispose()
    {
        Browser.Dispose();
        if (!ReferenceEquals(User, Admin))
        {
            User.Dispose();
        }
        Admin.Dispose();
    }
}

/// <summary>Reading pages as a person reads them.</summary>
public static class Html
{
    private static readonly HtmlParser Parser = new();

    public static IDocument Parse(string html) => Parser.ParseDocument(html);

    /// <summary>The visible text of a page with its whitespace collapsed.</summary>
    public static string Text(string html) => Collapse(Parse(html).Body?.TextContent ?? "");

    public static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The form's error messages (validation summary and field errors), for assertion messages.</summary>
    public static string ErrorsOf(string html) =>
        string.Join(" | ", Parse(html).QuerySelectorAll(".validation-summary-errors li, .field-validation-error, [role=alert]").Select(e => Collapse(e.TextContent)));

    /// <summary>The text of the element <paramref name="selector"/> finds, collapsed; fails when there is none.</summary>
    public static string TextOf(this IDocument page, string selector) =>
        Collapse(page.QuerySelector(selector).ShouldNotBeNull($"the page has {selector}").TextContent);

    /// <summary>The field error shown next to the input named <paramref name="name"/>, or null.</summary>
    public static string? FieldError(this IDocument page, string name) =>
        page.QuerySelector($"[data-valmsg-for='{name}']") is { } span && span.TextContent.Trim().Length > 0 ? Collapse(span.TextContent) : null;
}
