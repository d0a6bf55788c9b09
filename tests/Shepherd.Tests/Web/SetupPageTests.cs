using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shepherd.Data;
using Shepherd.Data.Accounts;
using Shepherd.Data.Audit;
using Shepherd.Platform.Web;
using Shouldly;

namespace Shepherd.Tests.Web;

/// <summary>The first run: /setup creates the first administrator only with the one-time code from the server's log.</summary>
public sealed partial class SetupPageTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_first_administrator_is_created_only_with_the_code_from_the_log_and_then_setup_closes()
    {
        await using var app = new WebSqliteApp();
        using var browser = app.Browser();
        var form = await browser.GetStringAsync("/setup", Cancel);
        form.ShouldContain("Create administrator");
        var fields = new Dictionary<string, string>
        {
            ["Organization"] = "Grace Church",
            ["Email"] = "pastor@grace.example",
            ["Password"] = "a long enough passphrase",
            ["ConfirmPassword"] = "a long enough passphrase",
        };

        fields["Code"] = "AAAA-BBBB-CCCC";
        using var wrong = await browser.PostAsync("/setup", WebForms.Form(form, fields), Cancel);
        WebForms.Error(await wrong.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldStartWith("That setup code is not right.");
        (await CountUsersAsync(app)).ShouldBe(0);

        fields["Code"] = (await SetupCodeFromLogAsync(app)).ToLowerInvariant();
        using var created = await browser.PostAsync("/setup", WebForms.Form(form, fields), Cancel);

        created.StatusCode.ShouldBe(HttpStatusCode.Redirect, await created.Content.ReadAsStringAsync(Cancel));
        created.Headers.Location!.ToString().ShouldBe(TwoFactorModel.Path, "administrators set up two-factor sign-in first");
        (await browser.GetStringAsync(AccountModel.Path, Cancel)).ShouldContain("Grace Church");
        await using (var db = app.Services.GetRequiredService<ShepherdDbContextFactory>().Create(null, AuditActor.System))
        {
            var user = await db.Users.SingleAsync(Cancel);
            user.Email.ShouldBe("pastor@grace.example");
            user.IsPlatformAdministrator.ShouldBeTrue();
            (await db.Memberships.IgnoreQueryFilters().SingleAsync(Cancel)).Role.ShouldBe(OrganizationRole.Administrator);
        }

        using var closed = await app.Browser().GetAsync("/setup", Cancel);
        closed.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        closed.Headers.Location!.ToString().ShouldBe(WebSession.SignInPath);
        fields["Email"] = "intruder@evil.example";
        using var again = await browser.PostAsync("/setup", WebForms.Form(form, fields), Cancel);
        // Refused either way: the form's antiforgery token belonged to the anonymous visitor (400), or setup is closed (302).
        again.StatusCode.ShouldBeOneOf(HttpStatusCode.BadRequest, HttpStatusCode.Redirect);
        (await CountUsersAsync(app)).ShouldBe(1);
    }

    private static async Task<int> CountUsersAsync(WebSqliteApp app)
    {
        await using var db = app.Services.GetRequiredService<ShepherdDbContextFactory>().Create(null, AuditActor.System);
        return await db.Users.CountAsync(Cancel);
    }

    /// <summary>What the installer does: reads the code from the server's log (written by a background writer: poll).</summary>
    private static async Task<string> SetupCodeFromLogAsync(WebSqliteApp app)
    {
        var logs = Path.Combine(app.DataFolder, "logs");
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(20);
        while (true)
        {
            foreach (var file in Directory.Exists(logs) ? Directory.GetFiles(logs) : [])
            {
                using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
                var match = SetupCode().Match(await reader.ReadToEndAsync(Cancel));
                if (match.Success)
                {
                    return match.Groups[1].Value;
                }
            }
            TimeProvider.System.GetUtcNow().ShouldBeLessThan(deadline, "the setup code never reached the log");
            await Task.Delay(100, Cancel);
        }
    }

    [GeneratedRegex("\"SetupCode\":\"([A-Z0-9-]{14})\"")]
    private static partial Regex SetupCode();
}
