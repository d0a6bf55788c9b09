using System.Net;
using System.Text.RegularExpressions;
using Shepherd.Platform.Web;
using Shouldly;

namespace Shepherd.Tests.Web;

/// <summary>What a browser does with Shepherd's forms: fetch the page, post its antiforgery token with the fields.</summary>
public static partial class WebForms
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Gets <paramref name="page"/> and posts the form on it (to <paramref name="action"/>, default the page itself).</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient browser, string page, Dictionary<string, string> fields, string? action = null)
    {
        var html = await browser.GetStringAsync(page, Cancel);
        return await browser.PostAsync(action ?? page, Form(html, fields), Cancel);
    }

    public static FormUrlEncodedContent Form(string html, Dictionary<string, string> fields)
    {
        var antiforgery = AntiforgeryField().Match(html);
        antiforgery.Success.ShouldBeTrue("the page has an antiforgery field");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(antiforgery.Groups[1].Value);
        return new FormUrlEncodedContent(fields);
    }

    public static Task<HttpResponseMessage> SignInWithPasswordAsync(HttpClient browser, string email, string password, string? returnUrl = null)
    {
        var fields = new Dictionary<string, string> { ["Email"] = email, ["Password"] = password };
        if (returnUrl is not null)
        {
            fields["ReturnUrl"] = returnUrl;
        }
        return PostAsync(browser, WebSession.SignInPath, fields);
    }

    /// <summary>The session cookie a response set, or null.</summary>
    public static string? SessionCookie(HttpResponseMessage response) =>
        (response.Headers.TryGetValues("Set-Cookie", out var set) ? set : [])
            .FirstOrDefault(c => c.StartsWith(WebSession.CookieName + "=", StringComparison.Ordinal) && !c.StartsWith(WebSession.CookieName + "=;", StringComparison.Ordinal));

    /// <summary>The text of the page's error paragraph (role="alert"), decoded, or null.</summary>
    public static string? Error(string html)
    {
        var error = ErrorParagraph().Match(html);
        return error.Success ? WebUtility.HtmlDecode(error.Groups[1].Value) : null;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("<p class=\"error\" role=\"alert\"[^>]*>([^<]*)</p>")]
    private static partial Regex ErrorParagraph();
}
