using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Audit;
using Shepherd.Data.Groups;
using Shepherd.Data.People;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Safety;
using Shouldly;

namespace Shepherd.Tests.Api;

public sealed class PersonMergeApiSqliteTests(SqliteApp app) : PersonMergeApiTests<SqliteApp>(app);

public sealed class PersonMergeApiPostgresTests(PostgresApp app) : PersonMergeApiTests<PostgresApp>(app);

/// <summary>
/// Two records of one person, as a church gets them (a member, and the visitor card filled in again): what each holds,
/// set up through the API. The survivor is Anna; the duplicate Ann.
/// </summary>
public sealed record MergeCase(long Survivor, long Duplicate, long SharedService, long OtherService, long SharedFamily, long OtherFamily,
    long SharedGroup, long OtherGroup, long BadgeType)
{
    private static readonly string[] Sizes = ["S", "M", "L"];

    public static async Task<MergeCase> CreateAsync(ApiClient api)
    {
        var campus = await api.CreateAsync("/api/v1/campuses", new { name = "Main" });
        await api.CreateAsync("/api/v1/custom-fields", new { key = "shirt", label = "T-shirt size", type = "choice", choices = Sizes });
        await api.CreateAsync("/api/v1/custom-fields", new { key = "since", label = "Attending since", type = "date" });
        var survivor = await api.CreateAsync("/api/v1/people", new
        {
            firstName = "Anna",
            lastName = "Berg",
            membershipStatus = "member",
            emails = new[] { new { address = "anna@example.org", isPrimary = true } },
            customFields = new { shirt = "M" },
            medicalNote = "Peanuts",
        });
        var duplicate = await api.CreateAsync("/api/v1/people", new
        {
            firstName = "Ann",
            lastName = "Berg",
            birthDate = "1990-05-01",
            emails = new[] { new { address = "ANNA@example.org" }, new { address = "ann.berg@example.org" } },
            phones = new[] { new { number = "555 0100 2000" } },
            customFields = new { shirt = "L", since = "2020-01-05" },
            medicalNote = "Bee stings",
            consent = new { email = true },
        });
        var (s, d) = ((long)survivor["id"]!, (long)duplicate["id"]!);
        var shared = await api.CreateAsync("/api/v1/services", new { campusId = (long)campus["id"]!, name = "Sunday 9:00", kind = "worship", startsAt = "2026-11-22T09:00:00Z" });
        var other = await api.CreateAsync("/api/v1/services", new { campusId = (long)campus["id"]!, name = "Sunday 11:00", kind = "worship", startsAt = "2026-11-15T11:00:00Z" });
        await api.CreateAsync($"/api/v1/services/{shared["id"]}/attendance", new { personId = s });
        await api.CreateAsync($"/api/v1/services/{shared["id"]}/attendance", new { personId = d });
        await api.CreateAsync($"/api/v1/services/{other["id"]}/attendance", new { personId = d });
        var sharedFamily = await api.CreateAsync("/api/v1/families", new { name = "Berg family", members = new[] { new { personId = s, role = "adult" }, new { personId = d, role = "adult" } } });
        var otherFamily = await api.CreateAsync("/api/v1/families", new { name = "Berg-Lund family", members = new[] { new { personId = d, role = "adult" } } });
        var sharedGroup = await api.CreateAsync("/api/v1/groups", new { name = "Choir", kind = "team" });
        var otherGroup = await api.CreateAsync("/api/v1/groups", new { name = "Tuesday study", kind = "smallGroup" });
        await api.CreateAsync($"/api/v1/groups/{sharedGroup["id"]}/members", new { personId = s, role = "member" });
        await api.CreateAsync($"/api/v1/groups/{sharedGroup["id"]}/members", new { personId = d, role = "leader" });
        await api.CreateAsync($"/api/v1/groups/{otherGroup["id"]}/members", new { personId = d, role = "member" });
        var badge = await api.CreateAsync("/api/v1/badge-types", new { name = "Baptized", color = "#336699" });
        await api.CreateAsync($"/api/v1/people/{s}/badges", new { badgeTypeId = (long)badge["id"]!, awardedOn = "2020-06-01" });
        await api.CreateAsync($"/api/v1/people/{d}/badges", new { badgeTypeId = (long)badge["id"]!, awardedOn = "2020-06-01" });
        await api.CreateAsync($"/api/v1/people/{d}/badges", new { badgeTypeId = (long)badge["id"]!, awardedOn = "2024-06-01" });
        await api.CreateAsync($"/api/v1/people/{d}/notes", new { text = "Asked about baptism.", visibility = "staff" });
        await api.CreateAsync($"/api/v1/people/{d}/notes", new { text = "Private.", visibility = "authorOnly" });
        await api.CreateAsync($"/api/v1/families/{otherFamily["id"]}/pickups", new { personId = d });
        return new MergeCase(s, d, (long)shared["id"]!, (long)other["id"]!, (long)sharedFamily["id"]!, (long)otherFamily["id"]!,
            (long)sharedGroup["id"]!, (long)otherGroup["id"]!, (long)badge["id"]!);
    }
}

/// <summary>POST /api/v1/people/{id}/merge: the dry run's preview is what the merge then does, in one transaction.</summary>
public abstract class PersonMergeApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    private static async Task<JsonObject> MergeAsync(ApiClient api, long survivor, long duplicate, bool dryRun)
    {
        using var response = await api.PostAsync($"/api/v1/people/{survivor}/merge", new { duplicateId = duplicate, dryRun });
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    [Fact]
    public async Task The_dry_run_changes_nothing_and_says_exactly_what_the_merge_then_does()
    {
        using var api = await app.NewOrganizationAsync();
        var c = await MergeCase.CreateAsync(api);
        var before = await Fingerprint.OfAsync(app, api.OrganizationId);

        var preview = await MergeAsync(api, c.Survivor, c.Duplicate, dryRun: true);

        (await Fingerprint.OfAsync(app, api.OrganizationId)).ShouldBe(before);
        preview["merged"]!.GetValue<bool>().ShouldBeFalse();
        preview["attendance"]!.GetValue<int>().ShouldBe(1);
        preview["attendanceKeptOnce"]!.GetValue<int>().ShouldBe(1);
        preview["families"]!.AsArray().Select(f => (string)f!).ShouldBe(["Berg-Lund family"]);
        preview["groups"]!.AsArray().Select(g => (string)g!).ShouldBe(["Tuesday study"]);
        preview["badges"]!.GetValue<int>().ShouldBe(1);
        preview["notes"]!.GetValue<int>().ShouldBe(2);
        preview["customFields"]!.AsArray().Select(f => (string)f!).ShouldBe(["Attending since"]);
        preview["emails"]!.AsArray().Select(e => (string)e!).ShouldBe(["ann.berg@example.org"]);
        preview["phones"]!.AsArray().Select(p => (string)p!).ShouldBe(["555 0100 2000"]);
        preview["authorizedPickups"]!.GetValue<int>().ShouldBe(1);
        preview["filled"]!.AsArray().Select(f => (string)f!["field"]!).ShouldBe(["birthDate", "medicalNote", "consent"]);
        var conflicts = preview["conflicts"]!.AsArray().Select(x => (string)x!).ToList();
        conflicts.ShouldContain("Both were at Sunday 9:00 on 22 Nov 2026: one attendance record is kept.");
        conflicts.ShouldContain("Both are in Berg family: Anna Berg stays in it as an adult.");
        conflicts.ShouldContain(x => x.StartsWith("Both are in Choir: one membership is kept (leader, joined ", StringComparison.Ordinal));
        conflicts.ShouldContain("Both hold Baptized awarded on 1 Jun 2020: one is kept.");
        conflicts.ShouldContain("T-shirt size: keeps “M” (the duplicate has “L”).");
        conflicts.ShouldContain("Name: keeps “Anna Berg” (the duplicate is “Ann Berg”).");
        conflicts.ShouldContain("Membership status: keeps Member (the duplicate is Visitor).");

        var merged = await MergeAsync(api, c.Survivor, c.Duplicate, dryRun: false);

        merged["merged"]!.GetValue<bool>().ShouldBeTrue();
        merged.Remove("merged");
        preview.Remove("merged");
        // The versions are those the records had before the merge, in both answers.
        merged.ToJsonString().ShouldBe(preview.ToJsonString());

        await using var db = app.Database(api.OrganizationId);
        var s = c.Survivor;
        (await db.Attendance.Where(a => a.PersonId == s).Select(a => a.ServiceId).OrderBy(x => x).ToListAsync()).ShouldBe([c.SharedService, c.OtherService]);
        (await db.Attendance.CountAsync(a => a.PersonId == c.Duplicate)).ShouldBe(0);
        (await db.FamilyMembers.Where(m => m.PersonId == s).Select(m => m.FamilyId).OrderBy(x => x).ToListAsync()).ShouldBe([c.SharedFamily, c.OtherFamily]);
        (await db.GroupMembers.Where(m => m.PersonId == s).OrderBy(m => m.GroupId).Select(m => new { m.GroupId, m.Role }).ToListAsync())
            .ShouldBe([new { GroupId = c.SharedGroup, Role = GroupRole.Leader }, new { GroupId = c.OtherGroup, Role = GroupRole.Member }]);
        (await db.Badges.CountAsync(b => b.PersonId == s)).ShouldBe(2);
        (await db.Notes.CountAsync(n => n.PersonId == s)).ShouldBe(2);
        (await db.AuthorizedPickups.CountAsync(p => p.PersonId == s)).ShouldBe(1);
        var survivor = await db.People.Include(p => p.Emails).Include(p => p.Phones).Include(p => p.CustomFieldValues).SingleAsync(p => p.Id == s);
        survivor.Emails.Select(e => e.NormalizedAddress).OrderBy(e => e).ShouldBe(["ann.berg@example.org", "anna@example.org"]);
        survivor.Phones.Single().Digits.ShouldBe("55501002000");
        survivor.BirthDate.ShouldBe(new DateOnly(1990, 5, 1));
        survivor.MedicalNote.ShouldBe("Peanuts\nBee stings");
        survivor.Consent.Email.ShouldBe(true);
        survivor.CustomFieldValues.Count.ShouldBe(2);
        survivor.MembershipStatus.ShouldBe(MembershipStatus.Member);
        var duplicate = await db.People.Include(p => p.Emails).SingleAsync(p => p.Id == c.Duplicate);
        duplicate.MergedIntoId.ShouldBe(s);
        duplicate.ArchivedAt.ShouldNotBeNull();
        duplicate.Emails.ShouldBeEmpty();
        var audit = await db.AuditEntries.Where(e => e.Action == AuditAction.Merged).OrderBy(e => e.Id).ToListAsync();
        audit.Select(e => e.EntityId).ShouldBe([s.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Duplicate.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        audit[0].Changes.ShouldNotBeNull().ShouldContain("\"attendance\":1");
        (await api.GetJsonAsync($"/api/v1/people/{c.Duplicate}"))["mergedIntoId"]!.GetValue<long>().ShouldBe(s);
    }

    [Fact]
    public async Task A_person_into_themself_an_archived_or_merged_record_and_another_organizations_are_refused_and_nothing_changes()
    {
        using var api = await app.NewOrganizationAsync();
        using var other = await app.NewOrganizationAsync();
        var a = (long)(await api.CreateAsync("/api/v1/people", new { firstName = "A", lastName = "One" }))["id"]!;
        var b = (long)(await api.CreateAsync("/api/v1/people", new { firstName = "B", lastName = "Two" }))["id"]!;
        var archived = (long)(await api.CreateAsync("/api/v1/people", new { firstName = "C", lastName = "Three" }))["id"]!;
        (await api.PostAsync($"/api/v1/people/{archived}/archive", new { })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var theirs = (long)(await other.CreateAsync("/api/v1/people", new { firstName = "D", lastName = "Four" }))["id"]!;
        var before = await Fingerprint.OfAsync(app, api.OrganizationId);

        var self = await (await api.PostAsync($"/api/v1/people/{a}/merge", new { duplicateId = a })).ShouldBeValidationProblemAsync("duplicateId");
        self["errors"]!["duplicateId"]![0]!.GetValue<string>().ShouldBe("A person cannot be merged into themself: pick the other record.");
        var archivedDuplicate = await (await api.PostAsync($"/api/v1/people/{a}/merge", new { duplicateId = archived })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        archivedDuplicate["detail"]!.GetValue<string>().ShouldBe("C Three is archived. Restore the record first if it should be merged.");
        await (await api.PostAsync($"/api/v1/people/{archived}/merge", new { duplicateId = a })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await api.PostAsync($"/api/v1/people/{a}/merge", new { duplicateId = theirs })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await api.PostAsync($"/api/v1/people/{theirs}/merge", new { duplicateId = a })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await api.PostAsync($"/api/v1/people/{a}/merge", new { dryRun = true })).ShouldBeValidationProblemAsync("duplicateId");
        (await Fingerprint.OfAsync(app, api.OrganizationId)).ShouldBe(before);

        await MergeAsync(api, a, b, dryRun: false);
        var again = await (await api.PostAsync($"/api/v1/people/{a}/merge", new { duplicateId = b })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        again["detail"]!.GetValue<string>().ShouldBe($"B Two was already merged into person {a}: merge with that record instead.");
    }

    [Fact]
    public async Task Staff_may_merge_and_a_group_leader_or_viewer_may_not()
    {
        using var api = await app.NewOrganizationAsync();
        var a = (long)(await api.CreateAsync("/api/v1/people", new { firstName = "A", lastName = "One" }))["id"]!;
        var b = (long)(await api.CreateAsync("/api/v1/people", new { firstName = "B", lastName = "Two" }))["id"]!;
        using var viewer = await app.NewMemberAsync(api.OrganizationId, Data.Accounts.OrganizationRole.Viewer);
        using var leader = await app.NewMemberAsync(api.OrganizationId, Data.Accounts.OrganizationRole.GroupLeader, a);
        using var staff = await app.NewMemberAsync(api.OrganizationId, Data.Accounts.OrganizationRole.Staff);
        await (await viewer.PostAsync($"/api/v1/people/{a}/merge", new { duplicateId = b })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await leader.PostAsync($"/api/v1/people/{a}/merge", new { duplicateId = b })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await MergeAsync(staff, a, b, dryRun: false))["merged"]!.GetValue<bool>().ShouldBeTrue();
    }
}
