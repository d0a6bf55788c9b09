using System.Net;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Accounts;
using Shepherd.Platform.Accounts;
using Shepherd.Platform.Web;
using Shepherd.Tests.Web;
using Shouldly;

namespace Shepherd.Tests.Accounts;

/// <summary>Invitations sent through a real SMTP server and accepted by following the link in the mail.</summary>
public sealed class InvitationMailTests(MailApp app) : IClassFixture<MailApp>
{
    private const string Password = "correct horse battery staple";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_new_address_accepts_by_choosing_a_password_and_is_signed_in_with_the_invited_role()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var email = $"new-{Guid.NewGuid():N}@example.org";

        var created = await admin.CreateAsync("/api/v1/invitations", new { email, role = "groupLeader" });

        created["emailSent"]!.GetValue<bool>().ShouldBeTrue();
        created["link"].ShouldBeNull("the secret travels only in the e-mail");
        var (mail, link) = app.Smtp.Single(email);
        mail.Subject.ShouldStartWith("You are invited to Church");
        mail.TextBody!.ShouldContain("as group leader");
        link.ShouldStartWith(AccountLinks.InvitePath + "?code=");
        using var browser = app.Browser();
        (await browser.GetStringAsync(link, Cancel)).ShouldContain("Choose a password for");
        using var mismatch = await WebForms.PostAsync(browser, link, new() { ["DisplayName"] = "Priscilla", ["Password"] = Password, ["ConfirmPassword"] = "different" }, link + "&handler=Create");
        WebForms.Error(await mismatch.Content.ReadAsStringAsync(Cancel)).ShouldBe("The password and its confirmation differ.");

        using var accepted = await WebForms.PostAsync(browser, link, new() { ["DisplayName"] = "Priscilla", ["Password"] = Password, ["ConfirmPassword"] = Password }, link + "&handler=Create");

        accepted.StatusCode.ShouldBe(HttpStatusCode.Redirect, await accepted.Content.ReadAsStringAsync(Cancel));
        accepted.Headers.Location!.ToString().ShouldBe(AccountModel.Path);
        (await browser.GetStringAsync(AccountModel.Path, Cancel)).ShouldContain(">GroupLeader<");
        await using var db = app.Database(admin.OrganizationId);
        var user = await db.Users.SingleAsync(u => u.Email == email, Cancel);
        user.EmailConfirmed.ShouldBeTrue("the link reached the address");
        user.DisplayName.ShouldBe("Priscilla");
        (await db.Memberships.SingleAsync(m => m.UserId == user.Id, Cancel)).Role.ShouldBe(OrganizationRole.GroupLeader);
        (await app.Browser().GetStringAsync(link, Cancel)).ShouldContain("was already accepted");
    }

    [Fact]
    public async Task An_existing_account_signs_in_first_and_only_the_invited_address_may_join()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var elsewhere = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var stranger = await app.NewOrganizationAsync(cancellationToken: Cancel);
        await admin.CreateAsync("/api/v1/invitations", new { email = elsewhere.AdminEmail, role = "staff" });
        var (_, link) = app.Smtp.Single(elsewhere.AdminEmail);

        using var anonymous = app.Browser();
        var page = await anonymous.GetStringAsync(link, Cancel);
        page.ShouldContain("You already have an account");
        page.ShouldContain($"{WebSession.SignInPath}?ReturnUrl={WebUtility.HtmlEncode(Uri.EscapeDataString(link))}");

        using var wrong = app.Browser();
        await WebForms.SignInWithPasswordAsync(wrong, stranger.AdminEmail, Password);
        var refused = await wrong.GetStringAsync(link, Cancel);
        WebForms.Error(refused).ShouldNotBeNull().ShouldStartWith($"This invitation is for {elsewhere.AdminEmail}, but you are signed in as {stranger.AdminEmail}.");
        refused.ShouldNotContain("handler=Join");
        using var forcedJoin = await wrong.PostAsync(link + "&handler=Join", WebForms.Form(await wrong.GetStringAsync(AccountModel.Path, Cancel), []), Cancel);
        forcedJoin.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var browser = app.Browser();
        await WebForms.SignInWithPasswordAsync(browser, elsewhere.AdminEmail, Password, link);
        var join = await browser.GetStringAsync(link, Cancel);
        join.ShouldContain("Join Church");
        using var joined = await WebForms.PostAsync(browser, link, [], link + "&handler=Join");

        joined.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var account = await browser.GetStringAsync(AccountModel.Path, Cancel);
        account.ShouldContain(">Staff<");
        await using var db = app.Database(admin.OrganizationId);
        var members = await db.Memberships.Include(m => m.User).ToListAsync(Cancel);
        members.Select(m => (m.User!.Email, m.Role)).ShouldBe([(admin.AdminEmail, OrganizationRole.Administrator), (elsewhere.AdminEmail, OrganizationRole.Staff)], ignoreOrder: true);
        members.ShouldNotContain(m => m.User!.Email == stranger.AdminEmail);
    }

    [Fact]
    public async Task The_stored_invitation_holds_only_the_hash_of_the_secret()
    {
        using var admin = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var email = $"hash-{Guid.NewGuid():N}@example.org";
        var created = await admin.CreateAsync("/api/v1/invitations", new { email, role = "viewer" });
        var (_, link) = app.Smtp.Single(email);
        var secret = link[(link.IndexOf("code=", StringComparison.Ordinal) + 5)..];

        await using var db = app.Database(admin.OrganizationId);
        var stored = await db.Invitations.SingleAsync(i => i.Id == created["id"]!.GetValue<long>(), Cancel);
        stored.TokenHash.ShouldBe(TokenHasher.Hash(secret));
        stored.TokenHash.ShouldNotContain(secret);
        (stored.ExpiresAt - stored.CreatedAt).ShouldBe(TimeSpan.FromDays(7));
        var audit = await db.AuditEntries.Where(a => a.EntityType == nameof(Invitation)).Select(a => a.Changes).ToListAsync(Cancel);
        audit.ShouldAllBe(c => c == null || !c.Contains(secret));
    }
}
