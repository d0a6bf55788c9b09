using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shepherd.Data.Audit;
using Shepherd.Platform.Mail;
using Shepherd.Platform.Web;
using Shepherd.Tests.Web;
using Shouldly;

namespace Shepherd.Tests.Accounts;

/// <summary>Password reset and address confirmation by e-mail, through a real SMTP server, following the links in the mail.</summary>
public sealed class PasswordResetTests(MailApp app) : IClassFixture<MailApp>
{
    private const string Password = "correct horse battery staple";
    private const string NewPassword = "a brand new passphrase for me";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_reset_link_from_the_mail_sets_a_new_password_ends_other_sessions_and_is_recorded()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var elsewhere = app.Browser();
        WebForms.SessionCookie(await WebForms.SignInWithPasswordAsync(elsewhere, admin.AdminEmail, Password)).ShouldNotBeNull();
        using var browser = app.Browser();

        using var sentMail = new Infrastructure.CounterReading(app.Services, MailMetrics.MeterName, MailMetrics.MessagesName, ("outcome", "sent"));
        using var asked = await WebForms.PostAsync(browser, AccountLinks.ForgotPath, new() { ["Email"] = admin.AdminEmail.ToUpperInvariant() });

        (await asked.Content.ReadAsStringAsync(Cancel)).ShouldContain(WebUtility.HtmlEncode(ForgotPasswordModel.SentMessage));
        var (mail, link) = await app.Smtp.SingleAsync(admin.AdminEmail);
        mail.Subject.ShouldBe("Reset your Shepherd password");
        // Counted once the server's answer is in, a moment after the message itself arrived.
        await Infrastructure.Poll.UntilAsync(() => sentMail.Value > 0, cancellationToken: Cancel);
        sentMail.Value.ShouldBeGreaterThanOrEqualTo(1, "shepherd.mail.messages{outcome=sent}");
        mail.HtmlBody!.ShouldContain("https://shepherd.church.example/account/reset?user=");
        link.ShouldStartWith(AccountLinks.ResetPath + "?user=");
        using var mismatch = await WebForms.PostAsync(browser, link, new() { ["NewPassword"] = NewPassword, ["ConfirmPassword"] = "something else" });
        WebForms.Error(await mismatch.Content.ReadAsStringAsync(Cancel)).ShouldBe("The new password and its confirmation differ.");
        using var tooShort = await WebForms.PostAsync(browser, link, new() { ["NewPassword"] = "short", ["ConfirmPassword"] = "short" });
        WebForms.Error(await tooShort.Content.ReadAsStringAsync(Cancel)).ShouldNotBeNull().ShouldContain("at least 10 characters");
        using var reset = await WebForms.PostAsync(browser, link, new() { ["NewPassword"] = NewPassword, ["ConfirmPassword"] = NewPassword });

        (await reset.Content.ReadAsStringAsync(Cancel)).ShouldContain("Sign in with the new password");
        using var ended = await elsewhere.GetAsync(AccountModel.Path, Cancel);
        ended.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the other session ended with the security stamp");
        WebForms.SessionCookie(await WebForms.SignInWithPasswordAsync(app.Browser(), admin.AdminEmail, Password)).ShouldBeNull();
        WebForms.SessionCookie(await WebForms.SignInWithPasswordAsync(app.Browser(), admin.AdminEmail, NewPassword)).ShouldNotBeNull();
        await using var db = app.Database(admin.OrganizationId);
        (await db.AuditEntries.CountAsync(a => a.Action == AuditAction.PasswordReset && a.Actor == admin.AdminEmail, Cancel)).ShouldBe(1);

        using var again = await WebForms.PostAsync(app.Browser(), link, new() { ["NewPassword"] = "yet another passphrase", ["ConfirmPassword"] = "yet another passphrase" });
        (await again.Content.ReadAsStringAsync(Cancel)).ShouldContain(ResetPasswordModel.InvalidLink, Case.Sensitive, "a used link does not work twice");
    }

    [Fact]
    public async Task An_unknown_address_gets_the_same_answer_and_no_mail_is_sent()
    {
        var unknown = $"nobody-{Guid.NewGuid():N}@example.org";
        using var browser = app.Browser();

        using var asked = await WebForms.PostAsync(browser, AccountLinks.ForgotPath, new() { ["Email"] = unknown });

        var html = await asked.Content.ReadAsStringAsync(Cancel);
        html.ShouldContain(WebUtility.HtmlEncode(ForgotPasswordModel.SentMessage));
        WebForms.Error(html).ShouldBeNull();
        // Reset mail leaves in order, one at a time: once a later known address's mail has arrived, any for the unknown one would have.
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        await WebForms.PostAsync(browser, AccountLinks.ForgotPath, new() { ["Email"] = admin.AdminEmail });
        await app.Smtp.SingleAsync(admin.AdminEmail);
        app.Smtp.To(unknown).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("tampered")]
    [InlineData("not base64url at all!")]
    [InlineData("other-user")]
    public async Task A_tampered_reset_link_is_refused_with_a_clear_message_and_the_password_stays(string damage)
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var browser = app.Browser();
        await WebForms.PostAsync(browser, AccountLinks.ForgotPath, new() { ["Email"] = admin.AdminEmail });
        var (_, link) = await app.Smtp.SingleAsync(admin.AdminEmail);
        var token = link[(link.IndexOf("&token=", StringComparison.Ordinal) + 7)..];
        var user = link[(link.IndexOf("user=", StringComparison.Ordinal) + 5)..link.IndexOf('&', StringComparison.Ordinal)];
        var bad = damage switch
        {
            "tampered" => $"{AccountLinks.ResetPath}?user={user}&token={token[..10]}{(token[10] == 'A' ? 'B' : 'A')}{token[11..]}",
            "other-user" => $"{AccountLinks.ResetPath}?user={long.Parse(user, System.Globalization.CultureInfo.InvariantCulture) + 100000}&token={token}",
            _ => $"{AccountLinks.ResetPath}?user={user}&token={Uri.EscapeDataString(damage)}",
        };

        if (damage == "not base64url at all!")
        {
            (await browser.GetStringAsync(bad, Cancel)).ShouldContain(ResetPasswordModel.InvalidLink);
        }
        else
        {
            using var refused = await WebForms.PostAsync(browser, bad, new() { ["NewPassword"] = NewPassword, ["ConfirmPassword"] = NewPassword });
            refused.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await refused.Content.ReadAsStringAsync(Cancel)).ShouldContain(ResetPasswordModel.InvalidLink);
        }
        WebForms.SessionCookie(await WebForms.SignInWithPasswordAsync(app.Browser(), admin.AdminEmail, Password)).ShouldNotBeNull();
    }

    [Fact]
    public async Task A_link_mailed_before_the_organization_switched_passwords_off_sets_no_password()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var browser = app.Browser();
        await WebForms.PostAsync(browser, AccountLinks.ForgotPath, new() { ["Email"] = admin.AdminEmail });
        var (_, link) = await app.Smtp.SingleAsync(admin.AdminEmail);
        await using (var db = app.Database(admin.OrganizationId))
        {
            await db.Organizations.Where(o => o.Id == admin.OrganizationId).ExecuteUpdateAsync(o => o.SetProperty(x => x.LocalPasswordsDisabled, true), Cancel);
        }

        using var refused = await WebForms.PostAsync(browser, link, new() { ["NewPassword"] = NewPassword, ["ConfirmPassword"] = NewPassword });

        WebForms.Error(await refused.Content.ReadAsStringAsync(Cancel)).ShouldBe(ResetPasswordModel.PasswordsOff);
        await using var check = app.Database(admin.OrganizationId);
        var user = await check.Users.SingleAsync(u => u.Email == admin.AdminEmail, Cancel);
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Data.Accounts.ShepherdUser>>();
        (await users.CheckPasswordAsync(user, NewPassword)).ShouldBeFalse("the new password was not set");
    }

    [Fact]
    public async Task An_unconfirmed_address_gets_a_confirmation_link_that_confirms_it()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        await using (var db = app.Database(admin.OrganizationId))
        {
            await db.Users.Where(u => u.Email == admin.AdminEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.EmailConfirmed, false), Cancel);
        }
        using var browser = app.Browser();
        await WebForms.SignInWithPasswordAsync(browser, admin.AdminEmail, Password);
        (await browser.GetStringAsync(AccountLinks.ConfirmPath, Cancel)).ShouldContain("is not confirmed yet");

        using var sent = await WebForms.PostAsync(browser, AccountLinks.ConfirmPath, []);
        (await sent.Content.ReadAsStringAsync(Cancel)).ShouldContain("We sent a confirmation link");
        var (mail, link) = app.Smtp.Single(admin.AdminEmail);
        mail.Subject.ShouldBe("Confirm your e-mail address for Shepherd");

        var confirmed = await app.Browser().GetStringAsync(link, Cancel);
        confirmed.ShouldContain($"{WebUtility.HtmlEncode(admin.AdminEmail)} is confirmed");
        await using var check = app.Database(admin.OrganizationId);
        (await check.Users.SingleAsync(u => u.Email == admin.AdminEmail, Cancel)).EmailConfirmed.ShouldBeTrue();
        (await app.Browser().GetStringAsync(link + "x", Cancel)).ShouldContain(WebUtility.HtmlEncode(ConfirmEmailModel.InvalidLink));
    }

    [Fact]
    public async Task The_mail_health_check_is_healthy_when_the_server_answers_and_degraded_when_it_cannot_be_reached()
    {
        var checks = app.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>();
        var healthy = await checks.CheckHealthAsync(c => c.Name == "mail", Cancel);
        healthy.Entries["mail"].Status.ShouldBe(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, healthy.Entries["mail"].Description);

        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var unreachable = new MailSender(Options.Create(new MailOptions
        {
            Host = "127.0.0.1",
            Port = port,
            Security = MailSecurity.None,
            FromAddress = "a@b.example",
            PublicUrl = "https://x.example",
            Password = "smtp-secret-password",
        }), app.Services.GetRequiredService<MailMetrics>(), NullLogger<MailSender>.Instance);
        using var failedMail = new Infrastructure.CounterReading(app.Services, MailMetrics.MeterName, MailMetrics.MessagesName, ("outcome", "failed"));
        var result = await new MailHealthCheck(unreachable).CheckHealthAsync(new(), Cancel);
        result.Status.ShouldBe(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded);
        result.Description.ShouldNotBeNull().ShouldContain($"127.0.0.1:{port}");
        result.Description.ShouldNotContain("smtp-secret-password");
        var failed = await unreachable.SendAsync(new OutgoingMail("someone@example.org", "s", "t", "<p>t</p>"), Cancel);
        failed.Sent.ShouldBeFalse();
        failed.Problem.ShouldNotBeNull().ShouldContain("could not be sent");
        failedMail.Value.ShouldBe(1, "shepherd.mail.messages{outcome=failed} counts it for alerting");
    }
}

/// <summary>Links made with a zero lifetime have expired by the time anyone opens them.</summary>
public sealed class ExpiredLinkTests(ExpiringLinksApp app) : IClassFixture<ExpiringLinksApp>
{
    [Fact]
    public async Task An_expired_reset_link_is_refused_with_a_clear_message_not_an_error()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var admin = await app.NewOrganizationAsync(cancellationToken: cancel);
        using var browser = app.Browser();
        await WebForms.PostAsync(browser, AccountLinks.ForgotPath, new() { ["Email"] = admin.AdminEmail });
        var (_, link) = await app.Smtp.SingleAsync(admin.AdminEmail);

        using var refused = await WebForms.PostAsync(browser, link, new() { ["NewPassword"] = "a brand new passphrase", ["ConfirmPassword"] = "a brand new passphrase" });

        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await refused.Content.ReadAsStringAsync(cancel)).ShouldContain(ResetPasswordModel.InvalidLink);
    }
}

/// <summary>Shepherd whose mail server accepts connections and then says nothing, for two minutes per attempt.</summary>
public sealed class HungMailApp : MailApp
{
    private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<System.Net.Sockets.TcpClient> _held = [];
    private Task? _accepting;

    public int Connections { get; private set; }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _listener.Start();
        _accepting = AcceptAsync();
        Settings["Shepherd:Mail:Port"] = ((IPEndPoint)_listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Shepherd:Mail:Timeout"] = "00:02:00";
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                _held.Add(await _listener.AcceptTcpClientAsync());
                Connections++;
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _listener.Stop();
        await (_accepting ?? Task.CompletedTask);
        _held.ForEach(c => c.Dispose());
    }
}

/// <summary>The reset page never waits for the mail server: otherwise its answer time would tell which addresses have an account.</summary>
public sealed class HungMailServerTests(HungMailApp app) : IClassFixture<HungMailApp>
{
    [Fact]
    public async Task A_reset_for_a_known_address_answers_at_once_while_the_mail_server_hangs()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var admin = await app.NewOrganizationAsync(cancellationToken: cancel);
        using var browser = app.Browser();
        var page = await browser.GetStringAsync(AccountLinks.ForgotPath, cancel);
        // Far below the two minutes the send may take: the answer must not wait for it.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));

        using var asked = await browser.PostAsync(AccountLinks.ForgotPath, WebForms.Form(page, new() { ["Email"] = admin.AdminEmail }), deadline.Token);

        (await asked.Content.ReadAsStringAsync(cancel)).ShouldContain(WebUtility.HtmlEncode(ForgotPasswordModel.SentMessage));
        await Infrastructure.Poll.UntilAsync(() => app.Connections > 0, cancellationToken: cancel);
        app.Connections.ShouldBe(1, "the mail is on its way in the background, to the server that hangs");
    }
}
