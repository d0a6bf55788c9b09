using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Accounts;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Safety;
using Shouldly;

namespace Shepherd.Tests.Pages.People;

public sealed class PersonPageSqliteTests(PagesSqliteApp app) : PersonPageTests<PagesSqliteApp>(app);

public sealed class PersonPagePostgresTests(PagesPostgresApp app) : PersonPageTests<PagesPostgresApp>(app);

/// <summary>/people/{id}: what each role sees of a person, and the changes made there (notes, badges, photo, archive, erase).</summary>
public abstract class PersonPageTests<TApp>(TApp app) where TApp : ShepherdApp, IPageApp
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private static async Task<long> PersonAsync(PageSession session, object? body = null) =>
        (long)(await session.Admin.CreateAsync("/api/v1/people", body ?? new { firstName = "Ruth", lastName = "Moab", emails = new[] { new { address = "ruth@example.org" } } }))["id"]!;

    [Fact]
    public async Task The_profile_shows_contact_families_groups_attendance_badges_and_an_audit_link()
    {
        using var session = await PageSession.StartAsync(app);
        var api = session.Admin;
        var campus = await api.CreateAsync("/api/v1/campuses", new { name = "Main" });
        var id = await PersonAsync(session, new
        {
            firstName = "Ruth",
            lastName = "Moab",
            birthDate = "2016-02-03",
            medicalNote = "Gluten free",
            emails = new[] { new { address = "ruth@example.org" } },
            phones = new[] { new { number = "555 0123 4567" } },
        });
        var family = await api.CreateAsync("/api/v1/families", new { name = "Moab family", members = new[] { new { personId = id, role = "child" } } });
        var group = await api.CreateAsync("/api/v1/groups", new { name = "Kids choir", kind = "team" });
        await api.CreateAsync($"/api/v1/groups/{group["id"]}/members", new { personId = id, role = "member" });
        var start = TimeProvider.System.GetUtcNow().AddDays(-8);
        var service = await api.CreateAsync("/api/v1/services", new { campusId = (long)campus["id"]!, name = "Kids church", kind = "kids", startsAt = start });
        await api.CreateAsync($"/api/v1/services/{service["id"]}/attendance", new { personId = id });
        var badge = await api.CreateAsync("/api/v1/badge-types", new { name = "Choir member", color = "#aa3366" });
        await api.CreateAsync($"/api/v1/people/{id}/badges", new { badgeTypeId = (long)badge["id"]!, note = "Alto" });

        var page = await session.PageAsync($"/people/{id}");
        page.TextOf("h1").ShouldBe("Ruth Moab");
        page.TextOf("#medical-note").ShouldContain("Gluten free");
        page.TextOf("#contact").ShouldContain("ruth@example.org");
        page.TextOf("#contact").ShouldContain("555 0123 4567");
        page.QuerySelector($"#families a[href='/families/{family["id"]}']").ShouldNotBeNull();
        page.TextOf("#families").ShouldContain("child");
        page.QuerySelector($"#groups a[href='/groups/{group["id"]}']").ShouldNotBeNull();
        page.TextOf("#attendance-summary").ShouldBe("1 service in the last 52 weeks, in 1 of the weeks.");
        page.QuerySelector("svg#attendance-chart title")!.TextContent.ShouldBe("Attendance, last 52 weeks");
        page.QuerySelectorAll("svg#attendance-chart rect.bar").Length.ShouldBe(1);
        page.QuerySelectorAll("#attendance-weeks tbody tr").Length.ShouldBe(52);
        page.TextOf("#recent-services").ShouldContain("Kids church");
        page.TextOf("#badge-list").ShouldContain("Choir member");
        page.TextOf("#badge-list").ShouldContain("Alto");
        page.QuerySelector("#audit-trail")!.GetAttribute("href").ShouldBe($"/audit?entityType=Person&entityId={id}");
        page.QuerySelector("#privacy-export")!.GetAttribute("href").ShouldBe($"/api/v1/people/{id}/export?format=html");

        using var staff = await session.AsAsync(app, OrganizationRole.Staff);
        var asStaff = await staff.PageAsync($"/people/{id}");
        asStaff.QuerySelector("#audit-trail").ShouldBeNull();
        asStaff.QuerySelector("#privacy-export").ShouldBeNull();
        asStaff.QuerySelector("#erase-form").ShouldBeNull();
        asStaff.QuerySelector("#merge-person").ShouldNotBeNull();

        using var viewer = await session.AsAsync(app, OrganizationRole.Viewer);
        var asViewer = await viewer.PageAsync($"/people/{id}");
        asViewer.TextOf("#medical-note").ShouldContain("Gluten free");
        asViewer.QuerySelector("#edit-person").ShouldBeNull();
        asViewer.QuerySelector("#notes").ShouldBeNull();
        asViewer.QuerySelector("#award-form").ShouldBeNull();
        asViewer.QuerySelector("#photo-form").ShouldBeNull();
    }

    [Fact]
    public async Task Another_organizations_person_is_not_found_and_a_group_leader_sees_only_their_people()
    {
        using var session = await PageSession.StartAsync(app);
        using var other = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var theirs = await other.CreateAsync("/api/v1/people", new { firstName = "Far", lastName = "Away" });
        using (var response = await session.Browser.GetAsync($"/people/{theirs["id"]}", Cancel))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }
        using (var response = await session.PostFormAsync($"/people/{await PersonAsync(session)}", new() { ["NewNote.Text"] = "x" }, $"/people/{theirs["id"]}?handler=AddNote"))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        var leader = await PersonAsync(session, new { firstName = "Lea", lastName = "Leader" });
        var member = await PersonAsync(session, new { firstName = "Mia", lastName = "Member" });
        var outsider = await PersonAsync(session, new { firstName = "Otto", lastName = "Outside" });
        var group = await session.Admin.CreateAsync("/api/v1/groups", new { name = "Youth", kind = "smallGroup" });
        var otherGroup = await session.Admin.CreateAsync("/api/v1/groups", new { name = "Seniors", kind = "smallGroup" });
        await session.Admin.CreateAsync($"/api/v1/groups/{group["id"]}/members", new { personId = leader, role = "leader" });
        await session.Admin.CreateAsync($"/api/v1/groups/{group["id"]}/members", new { personId = member, role = "member" });
        await session.Admin.CreateAsync($"/api/v1/groups/{otherGroup["id"]}/members", new { personId = member, role = "member" });
        using var asLeader = await session.AsAsync(app, OrganizationRole.GroupLeader, leader);

        var page = await asLeader.PageAsync($"/people/{member}");
        page.TextOf("#groups").ShouldContain("Youth");
        page.TextOf("#groups").ShouldNotContain("Seniors");
        page.QuerySelector("#families").ShouldBeNull();
        using (var response = await asLeader.Browser.GetAsync($"/people/{outsider}", Cancel))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }
        using (var response = await asLeader.PostFormAsync($"/people/{member}", new(), $"/people/{outsider}?handler=Archive"))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }
        (await session.Admin.GetJsonAsync($"/api/v1/people/{outsider}"))["archivedAt"].ShouldBeNull();
    }

    [Fact]
    public async Task Notes_are_shown_by_their_visibility_and_only_their_author_edits_or_deletes_them()
    {
        using var session = await PageSession.StartAsync(app);
        var id = await PersonAsync(session);
        var profile = $"/people/{id}";

        await session.SubmitAsync(profile, new() { ["NewNote.Text"] = "Staff may read this.", ["NewNote.Visibility"] = "Staff" }, $"{profile}?handler=AddNote");
        await session.SubmitAsync(profile, new() { ["NewNote.Text"] = "Pastors only.", ["NewNote.Visibility"] = "Pastors" }, $"{profile}?handler=AddNote");
        var mine = await session.SubmitAsync(profile, new() { ["NewNote.Text"] = "Only me.", ["NewNote.Visibility"] = "AuthorOnly", ["NewNote.NoteDate"] = "2026-01-02" }, $"{profile}?handler=AddNote");
        mine.TextOf("#note-list").ShouldContain("Only me.");
        mine.TextOf("#note-list").ShouldContain("2 Jan 2026");

        using var staff = await session.AsAsync(app, OrganizationRole.Staff);
        var asStaff = await staff.PageAsync(profile);
        asStaff.TextOf("#note-list").ShouldContain("Staff may read this.");
        asStaff.TextOf("#note-list").ShouldNotContain("Pastors only.");
        asStaff.TextOf("#note-list").ShouldNotContain("Only me.");
        asStaff.QuerySelectorAll("#note-list form").Length.ShouldBe(0);

        await using (var db = app.Database(session.OrganizationId))
        {
            await db.Memberships.Where(m => m.User!.Email == staff.User.AdminEmail).ExecuteUpdateAsync(m => m.SetProperty(x => x.Pastoral, true), Cancel);
        }
        (await staff.PageAsync(profile)).TextOf("#note-list").ShouldContain("Pastors only.");

        // The staff member may not change the administrator's note, even by posting the form.
        long noteId;
        await using (var db = app.Database(session.OrganizationId))
        {
            noteId = await db.Notes.Where(n => n.Text == "Staff may read this.").Select(n => n.Id).SingleAsync(Cancel);
        }
        using (var refused = await staff.PostFormAsync(profile, new() { ["EditNote.Id"] = $"{noteId}", ["EditNote.Text"] = "Changed", ["EditNote.Version"] = "0" }, $"{profile}?handler=EditNote"))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        using (var refused = await staff.PostFormAsync(profile, new() { ["noteId"] = $"{noteId}" }, $"{profile}?handler=DeleteNote"))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        var edited = await session.SubmitAsync(profile, new() { ["EditNote.Id"] = $"{noteId}", ["EditNote.Text"] = "Staff may read this, edited.", ["EditNote.Version"] = "0", ["EditNote.Visibility"] = "Staff" }, $"{profile}?handler=EditNote");
        edited.TextOf($"#note-{noteId}").ShouldContain("Staff may read this, edited.");
        var deleted = await session.SubmitAsync(profile, new() { ["noteId"] = $"{noteId}" }, $"{profile}?handler=DeleteNote");
        deleted.QuerySelector($"#note-{noteId}").ShouldBeNull();
        deleted.TextOf("#flash").ShouldBe("Note deleted.");
    }

    [Fact]
    public async Task A_refused_note_says_why_beside_the_field_and_a_stale_edit_keeps_the_text_and_nothing_is_written()
    {
        using var session = await PageSession.StartAsync(app);
        var id = await PersonAsync(session);
        var profile = $"/people/{id}";
        var before = await Fingerprint.OfAsync(app, session.OrganizationId);

        using (var response = await session.PostFormAsync(profile, new() { ["NewNote.Text"] = "  " }, $"{profile}?handler=AddNote"))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            Html.Parse(await response.Content.ReadAsStringAsync(Cancel)).FieldError("NewNote.Text").ShouldNotBeNull();
        }
        using (var response = await session.PostFormAsync(profile, new() { ["NewNote.Text"] = "Later", ["NewNote.NoteDate"] = "2999-01-01" }, $"{profile}?handler=AddNote"))
        {
            var page = Html.Parse(await response.Content.ReadAsStringAsync(Cancel));
            page.FieldError("NewNote.NoteDate").ShouldBe("noteDate cannot be in the future.");
            page.QuerySelector("[name='NewNote.Text']")!.TextContent.ShouldBe("Later");
        }
        (await Fingerprint.OfAsync(app, session.OrganizationId)).ShouldBe(before);

        var note = await session.Admin.CreateAsync($"/api/v1/people/{id}/notes", new { text = "First words" });
        using (var put = await session.Admin.PutAsync($"/api/v1/notes/{note["id"]}", new { text = "Changed elsewhere" }))
        {
            put.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        using (var response = await session.PostFormAsync(profile, new() { ["EditNote.Id"] = $"{note["id"]}", ["EditNote.Text"] = "My words", ["EditNote.Version"] = "0", ["EditNote.Visibility"] = "Staff" }, $"{profile}?handler=EditNote"))
        {
            var page = Html.Parse(await response.Content.ReadAsStringAsync(Cancel));
            page.FieldError("EditNote.Text").ShouldNotBeNull().ShouldContain("changed since you opened it");
            page.QuerySelector($"#edit-text-{note["id"]}")!.TextContent.ShouldBe("My words");
        }
        (await session.Admin.GetJsonAsync($"/api/v1/notes/{note["id"]}"))["text"]!.GetValue<string>().ShouldBe("Changed elsewhere");
    }

    [Fact]
    public async Task Badges_are_awarded_and_removed_on_the_profile_and_a_missing_type_is_refused()
    {
        using var session = await PageSession.StartAsync(app);
        var id = await PersonAsync(session);
        var profile = $"/people/{id}";
        var type = await session.Admin.CreateAsync("/api/v1/badge-types", new { name = "Volunteer", color = "#228833" });
        var retired = await session.Admin.CreateAsync("/api/v1/badge-types", new { name = "Old", color = "#228833", active = false });
        var before = await Fingerprint.OfAsync(app, session.OrganizationId);

        using (var response = await session.PostFormAsync(profile, new() { ["Award.BadgeTypeId"] = "" }, $"{profile}?handler=AwardBadge"))
        {
            Html.Parse(await response.Content.ReadAsStringAsync(Cancel)).FieldError("Award.BadgeTypeId").ShouldNotBeNull();
        }
        using (var response = await session.PostFormAsync(profile, new() { ["Award.BadgeTypeId"] = $"{retired["id"]}" }, $"{profile}?handler=AwardBadge"))
        {
            Html.Parse(await response.Content.ReadAsStringAsync(Cancel)).FieldError("Award.BadgeTypeId").ShouldBe("The badge type 'Old' is retired (inactive) and cannot be awarded.");
        }
        (await Fingerprint.OfAsync(app, session.OrganizationId)).ShouldBe(before);

        var awarded = await session.SubmitAsync(profile, new() { ["Award.BadgeTypeId"] = $"{type["id"]}", ["Award.AwardedOn"] = "2025-09-01", ["Award.Note"] = "Coffee team" }, $"{profile}?handler=AwardBadge");
        awarded.TextOf("#flash").ShouldBe("Awarded Volunteer.");
        awarded.TextOf("#badge-list").ShouldContain("1 Sep 2025 · Coffee team");
        var badgeId = awarded.QuerySelector("#badge-list input[name=badgeId]")!.GetAttribute("value")!;
        var removed = await session.SubmitAsync(profile, new() { ["badgeId"] = badgeId }, $"{profile}?handler=RemoveBadge");
        removed.QuerySelector("#badge-list").ShouldBeNull();

        using var viewer = await session.AsAsync(app, OrganizationRole.Viewer);
        using var refused = await viewer.PostFormAsync(profile, new() { ["Award.BadgeTypeId"] = $"{type["id"]}" }, $"{profile}?handler=AwardBadge");
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_photo_is_uploaded_checked_as_the_api_checks_it_and_a_wrong_file_changes_nothing()
    {
        using var session = await PageSession.StartAsync(app);
        var id = await PersonAsync(session);
        var profile = $"/people/{id}";
        var html = await session.Browser.GetStringAsync(profile, Cancel);

        async Task<HttpResponseMessage> UploadAsync(byte[] bytes, string type, string name)
        {
            using var form = new MultipartFormDataContent();
            var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
            form.Add(new StringContent(WebUtility.HtmlDecode(token)), "__RequestVerificationToken");
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue(type);
            form.Add(file, "photo", name);
            return await session.Browser.PostAsync($"{profile}?handler=Photo", form, Cancel);
        }

        var before = await Fingerprint.OfAsync(app, session.OrganizationId);
        using (var wrong = await UploadAsync("hello"u8.ToArray(), "text/plain", "notes.txt"))
        {
            wrong.StatusCode.ShouldBe(HttpStatusCode.OK);
            Html.Parse(await wrong.Content.ReadAsStringAsync(Cancel)).TextOf("#photo-error").ShouldBe("Send the photo as a JPEG, PNG or WebP image.");
        }
        using (var fake = await UploadAsync("not really a png"u8.ToArray(), "image/png", "fake.png"))
        {
            Html.Parse(await fake.Content.ReadAsStringAsync(Cancel)).TextOf("#photo-error").ShouldBe("The file is not a PNG image.");
        }
        (await Fingerprint.OfAsync(app, session.OrganizationId)).ShouldBe(before);

        using (var ok = await UploadAsync(Png, "image/png", "ruth.png"))
        {
            ok.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }
        var page = await session.PageAsync(profile);
        var src = page.QuerySelector("img.profile-photo")!.GetAttribute("src")!;
        src.ShouldStartWith($"/api/v1/people/{id}/photo");
        using var photo = await session.Browser.GetAsync(src, Cancel);
        photo.StatusCode.ShouldBe(HttpStatusCode.OK);
        photo.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
    }

    [Fact]
    public async Task Archiving_and_restoring_from_the_profile_and_an_administrator_erases_after_typing_the_name()
    {
        using var session = await PageSession.StartAsync(app);
        var id = await PersonAsync(session);
        var profile = $"/people/{id}";

        var archived = await session.SubmitAsync(profile, new(), $"{profile}?handler=Archive");
        archived.TextOf("#archived-notice").ShouldContain("Archived on");
        (await session.Admin.GetJsonAsync($"/api/v1/people/{id}"))["archivedAt"].ShouldNotBeNull();
        var restored = await session.SubmitAsync(profile, new(), $"{profile}?handler=Restore");
        restored.QuerySelector("#archived-notice").ShouldBeNull();

        var before = await Fingerprint.OfAsync(app, session.OrganizationId);
        using (var wrong = await session.PostFormAsync(profile, new() { ["confirm"] = "Naomi Moab" }, $"{profile}?handler=Erase"))
        {
            Html.Parse(await wrong.Content.ReadAsStringAsync(Cancel)).TextOf("#confirm-error").ShouldBe("Type the person's full name (first and last name) to confirm: erasing cannot be undone.");
        }
        (await Fingerprint.OfAsync(app, session.OrganizationId)).ShouldBe(before);
        using var staff = await session.AsAsync(app, OrganizationRole.Staff);
        using (var refused = await staff.PostFormAsync(profile, new() { ["confirm"] = "Ruth Moab" }, $"{profile}?handler=Erase"))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        var erased = await session.SubmitAsync(profile, new() { ["confirm"] = "ruth  moab" }, $"{profile}?handler=Erase");
        erased.TextOf("h1").ShouldBe($"Erased person {id}");
        erased.QuerySelector("#edit-person").ShouldBeNull();
    }
}
