using System.Net;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Accounts;
using Shepherd.Tests.Api;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Safety;
using Shouldly;

namespace Shepherd.Tests.Pages.People;

public sealed class PersonMergePageSqliteTests(PagesSqliteApp app) : PersonMergePageTests<PagesSqliteApp>(app);

public sealed class PersonMergePagePostgresTests(PagesPostgresApp app) : PersonMergePageTests<PagesPostgresApp>(app);

/// <summary>/people/{id}/merge: finding the duplicate, the preview the merge keeps to, and a merge over a changed record refused.</summary>
public abstract class PersonMergePageTests<TApp>(TApp app) where TApp : ShepherdApp, IPageApp
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_page_finds_the_duplicate_previews_what_moves_and_merges_exactly_that()
    {
        using var session = await PageSession.StartAsync(app);
        var c = await MergeCase.CreateAsync(session.Admin);
        var start = $"/people/{c.Survivor}/merge";

        var picker = await session.PageAsync(start);
        picker.QuerySelector($"#likely a[href='{start}?with={c.Duplicate}']").ShouldNotBeNull("same primary e-mail");
        var found = await session.PageAsync($"{start}?q=ann.berg");
        found.QuerySelector($"#found a[href='{start}?with={c.Duplicate}']").ShouldNotBeNull();

        var before = await Fingerprint.OfAsync(app, session.OrganizationId);
        var preview = await session.PageAsync($"{start}?with={c.Duplicate}");
        (await Fingerprint.OfAsync(app, session.OrganizationId)).ShouldBe(before);
        var moves = preview.TextOf("#merge-moves");
        moves.ShouldContain("1 attendance record");
        moves.ShouldContain("1 family: Berg-Lund family");
        moves.ShouldContain("1 group membership: Tuesday study");
        moves.ShouldContain("2 notes");
        moves.ShouldContain("1 e-mail address: ann.berg@example.org");
        preview.TextOf("#merge-conflicts").ShouldContain("Both were at Sunday 9:00 on 22 Nov 2026: one attendance record is kept.");
        preview.TextOf("#merge-filled").ShouldContain("Birth date");
        preview.QuerySelector("#swap")!.GetAttribute("href").ShouldBe($"/people/{c.Duplicate}/merge?with={c.Survivor}");

        var profile = await session.SubmitAsync($"{start}?with={c.Duplicate}", new()
        {
            ["with"] = $"{c.Duplicate}",
            ["survivorVersion"] = preview.QuerySelector("[name=survivorVersion]")!.GetAttribute("value")!,
            ["duplicateVersion"] = preview.QuerySelector("[name=duplicateVersion]")!.GetAttribute("value")!,
        }, start);
        profile.TextOf("#flash").ShouldBe("Merged Ann Berg into Anna Berg. The duplicate record is archived and points here.");
        profile.TextOf("#recent-services").ShouldContain("Sunday 11:00");
        profile.TextOf("#families").ShouldContain("Berg-Lund family");

        var shell = await session.PageAsync($"/people/{c.Duplicate}");
        shell.QuerySelector($"#merged-into a[href='/people/{c.Survivor}']").ShouldNotBeNull();
        shell.QuerySelector("#merge-person").ShouldBeNull();
        await using var db = app.Database(session.OrganizationId);
        (await db.Attendance.CountAsync(a => a.PersonId == c.Survivor, Cancel)).ShouldBe(2);
    }

    [Fact]
    public async Task A_merge_over_a_record_changed_since_the_preview_stops_and_says_so_and_nothing_moves()
    {
        using var session = await PageSession.StartAsync(app);
        var c = await MergeCase.CreateAsync(session.Admin);
        var start = $"/people/{c.Survivor}/merge";
        var preview = await session.PageAsync($"{start}?with={c.Duplicate}");
        var fields = new Dictionary<string, string>
        {
            ["with"] = $"{c.Duplicate}",
            ["survivorVersion"] = preview.QuerySelector("[name=survivorVersion]")!.GetAttribute("value")!,
            ["duplicateVersion"] = preview.QuerySelector("[name=duplicateVersion]")!.GetAttribute("value")!,
        };
        using (var put = await session.Admin.PutAsync($"/api/v1/people/{c.Duplicate}", new { firstName = "Ann", lastName = "Berg-Lund" }))
        {
            put.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        var before = await Fingerprint.OfAsync(app, session.OrganizationId);

        using var response = await session.PostFormAsync($"{start}?with={c.Duplicate}", fields, start);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = Html.Parse(await response.Content.ReadAsStringAsync(Cancel));
        page.TextOf("#merge-problem").ShouldBe("One of the two records was changed since the preview was made. Check the preview again, then merge.");
        page.TextOf("#merge-conflicts").ShouldContain("the duplicate is “Ann Berg-Lund”");
        (await Fingerprint.OfAsync(app, session.OrganizationId)).ShouldBe(before);
    }

    [Fact]
    public async Task Merging_into_oneself_an_archived_record_or_another_organizations_is_refused_and_a_group_leader_may_not_merge()
    {
        using var session = await PageSession.StartAsync(app);
        var a = (long)(await session.Admin.CreateAsync("/api/v1/people", new { firstName = "A", lastName = "One" }))["id"]!;
        var b = (long)(await session.Admin.CreateAsync("/api/v1/people", new { firstName = "B", lastName = "Two" }))["id"]!;
        (await session.Admin.PostAsync($"/api/v1/people/{b}/archive", new { })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        using var other = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var theirs = (long)(await other.CreateAsync("/api/v1/people", new { firstName = "D", lastName = "Four" }))["id"]!;

        (await session.PageAsync($"/people/{a}/merge?with={a}")).TextOf("#merge-problem").ShouldBe("A person cannot be merged into themself: pick the other record.");
        (await session.PageAsync($"/people/{a}/merge?with={b}")).TextOf("#merge-problem").ShouldBe("B Two is archived. Restore the record first if it should be merged.");
        using (var response = await session.Browser.GetAsync($"/people/{a}/merge?with={theirs}", Cancel))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }
        using (var response = await session.Browser.GetAsync($"/people/{theirs}/merge", Cancel))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }
        using var leader = await session.AsAsync(app, OrganizationRole.GroupLeader, a);
        var before = await Fingerprint.OfAsync(app, session.OrganizationId);
        using (var response = await session.PostFormAsync($"/people/{a}/merge", new() { ["with"] = $"{b}", ["survivorVersion"] = "0", ["duplicateVersion"] = "1" }))
        {
            Html.Parse(await response.Content.ReadAsStringAsync(Cancel)).TextOf("#merge-problem").ShouldContain("is archived");
        }
        using (var response = await leader.Browser.GetAsync($"/people/{a}/merge", Cancel))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        (await Fingerprint.OfAsync(app, session.OrganizationId)).ShouldBe(before);
    }
}
