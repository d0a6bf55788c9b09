using System.Net;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Accounts;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Safety;
using Shouldly;

namespace Shepherd.Tests.Pages.People;

public sealed class PersonFormPageSqliteTests(PagesSqliteApp app) : PersonFormPageTests<PagesSqliteApp>(app);

public sealed class PersonFormPagePostgresTests(PagesPostgresApp app) : PersonFormPageTests<PagesPostgresApp>(app);

/// <summary>/people/new and /people/{id}/edit: every field of the API's request, its checks and words, and edit conflicts.</summary>
public abstract class PersonFormPageTests<TApp>(TApp app) where TApp : ShepherdApp, IPageApp
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Anna(long? campusId = null) => new()
    {
        ["Input.FirstName"] = "Anna",
        ["Input.MiddleName"] = "Maria",
        ["Input.LastName"] = "Lindqvist",
        ["Input.PreferredName"] = "Annie",
        ["Input.Emails[0].Address"] = "anna@example.org",
        ["Input.Emails[0].Label"] = "1",
        ["Input.PrimaryEmail"] = "0",
        ["Input.Phones[0].Number"] = "+1 555 0101 2233",
        ["Input.Phones[0].CanText"] = "true",
        ["Input.Address.Street1"] = "1 Church Lane",
        ["Input.Address.City"] = "Uppsala",
        ["Input.BirthDate"] = "2015-03-04",
        ["Input.Gender"] = "1",
        ["Input.MembershipStatus"] = "2",
        ["Input.CampusId"] = campusId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        ["Input.Active"] = "true",
        ["Input.MedicalNote"] = "Peanut allergy: EpiPen in the blue bag.",
        ["Input.CustomFields[shirt]"] = "M",
        ["Input.CustomFields[baptized]"] = "true",
        ["Input.ConsentPhoto"] = "false",
    };

    private static readonly string[] Sizes = ["S", "M", "L"];

    private static async Task FieldsAsync(ApiClient admin)
    {
        await admin.CreateAsync("/api/v1/custom-fields", new { key = "shirt", label = "T-shirt size", type = "choice", choices = Sizes });
        await admin.CreateAsync("/api/v1/custom-fields", new { key = "baptized", label = "Baptized", type = "boolean" });
        await admin.CreateAsync("/api/v1/custom-fields", new { key = "since", label = "Attending since", type = "date" });
    }

    [Fact]
    public async Task Adding_a_person_saves_every_field_as_the_api_reads_it_and_shows_the_profile()
    {
        using var session = await PageSession.StartAsync(app);
        await FieldsAsync(session.Admin);
        var campus = await session.Admin.CreateAsync("/api/v1/campuses", new { name = "North" });

        var profile = await session.SubmitAsync("/people/new", Anna((long)campus["id"]!));

        profile.TextOf("h1").ShouldBe("Annie Lindqvist");
        profile.TextOf("#flash").ShouldBe("Added Annie Lindqvist.");
        profile.TextOf("#medical-note").ShouldContain("Peanut allergy");
        var id = long.Parse(profile.QuerySelector("#edit-person")!.GetAttribute("href")!.Split('/')[2], System.Globalization.CultureInfo.InvariantCulture);
        var saved = await session.Admin.GetJsonAsync($"/api/v1/people/{id}");
        saved["middleName"]!.GetValue<string>().ShouldBe("Maria");
        saved["emails"]![0]!["address"]!.GetValue<string>().ShouldBe("anna@example.org");
        saved["emails"]![0]!["label"]!.GetValue<string>().ShouldBe("work");
        saved["emails"]![0]!["isPrimary"]!.GetValue<bool>().ShouldBeTrue();
        saved["phones"]![0]!["canText"]!.GetValue<bool>().ShouldBeTrue();
        saved["address"]!["city"]!.GetValue<string>().ShouldBe("Uppsala");
        saved["birthDate"]!.GetValue<string>().ShouldBe("2015-03-04");
        saved["gender"]!.GetValue<string>().ShouldBe("female");
        saved["membershipStatus"]!.GetValue<string>().ShouldBe("member");
        saved["campusId"]!.GetValue<long>().ShouldBe((long)campus["id"]!);
        saved["medicalNote"]!.GetValue<string>().ShouldBe("Peanut allergy: EpiPen in the blue bag.");
        saved["customFields"]!["shirt"]!.GetValue<string>().ShouldBe("M");
        saved["customFields"]!["baptized"]!.GetValue<bool>().ShouldBeTrue();
        saved["consent"]!["photo"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task A_refused_form_shows_the_api_s_words_next_to_each_field_and_writes_nothing()
    {
        using var session = await PageSession.StartAsync(app);
        await FieldsAsync(session.Admin);
        var before = await Fingerprint.OfAsync(app, session.OrganizationId);

        var fields = Anna();
        fields["Input.FirstName"] = "";
        using (var response = await session.PostFormAsync("/people/new", fields))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            var page = Html.Parse(await response.Content.ReadAsStringAsync(Cancel));
            page.FieldError("Input.FirstName").ShouldNotBeNull();
            page.TextOf("#form-errors").ShouldContain("Nothing was saved");
            // What was typed is kept.
            page.QuerySelector("[name='Input.LastName']")!.GetAttribute("value").ShouldBe("Lindqvist");
        }

        fields = Anna();
        fields["Input.Emails[0].Address"] = "";
        fields["Input.Emails[1].Address"] = "anna@localhost";
        fields["Input.Phones[0].Number"] = "call me";
        fields["Input.BirthDate"] = "2999-01-01";
        fields["Input.CustomFields[since]"] = "last spring";
        fields["Input.MedicalNote"] = new string('m', 501);
        using (var response = await session.PostFormAsync("/people/new", fields))
        {
            var page = Html.Parse(await response.Content.ReadAsStringAsync(Cancel));
            page.FieldError("Input.MedicalNote").ShouldNotBeNull();
        }
        fields["Input.MedicalNote"] = "ok";
        using (var response = await session.PostFormAsync("/people/new", fields))
        {
            var page = Html.Parse(await response.Content.ReadAsStringAsync(Cancel));
            // The second row holds the first filled address: its error is next to it.
            page.FieldError("Input.Emails[1].Address").ShouldBe("This is not a valid e-mail address.");
            page.FieldError("Input.Phones[0].Number").ShouldBe("A phone number needs at least 3 digits.");
            page.FieldError("Input.BirthDate").ShouldBe("The birth date cannot be in the future.");
            page.FieldError("Input.CustomFields[since]").ShouldBe("This field takes a date written yyyy-MM-dd.");
        }

        // The API refuses the same body with the same words.
        using var api = await session.Admin.PostAsync("/api/v1/people", new
        {
            firstName = "Anna",
            lastName = "Lindqvist",
            emails = new[] { new { address = "anna@localhost" } },
            phones = new[] { new { number = "call me" } },
            birthDate = "2999-01-01",
            customFields = new { since = "last spring" },
        });
        var problem = await api.ShouldBeValidationProblemAsync("emails[0].address");
        problem["errors"]!["emails[0].address"]![0]!.GetValue<string>().ShouldBe("This is not a valid e-mail address.");
        problem["errors"]!["phones[0].number"]![0]!.GetValue<string>().ShouldBe("A phone number needs at least 3 digits.");
        problem["errors"]!["customFields.since"]![0]!.GetValue<string>().ShouldBe("This field takes a date written yyyy-MM-dd.");

        (await Fingerprint.OfAsync(app, session.OrganizationId)).ShouldBe(before);
    }

    [Fact]
    public async Task Add_another_email_keeps_what_was_typed_and_saves_nothing()
    {
        using var session = await PageSession.StartAsync(app);
        var fields = new Dictionary<string, string> { ["Input.FirstName"] = "Ola", ["Input.LastName"] = "Berg", ["Input.Emails[0].Address"] = "ola@example.org", ["More"] = "email" };
        using var response = await session.PostFormAsync("/people/new", fields);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = Html.Parse(await response.Content.ReadAsStringAsync(Cancel));
        page.QuerySelector("[name='Input.Emails[0].Address']")!.GetAttribute("value").ShouldBe("ola@example.org");
        page.QuerySelector("[name='Input.Emails[1].Address']").ShouldNotBeNull();
        (await session.Admin.GetJsonAsync("/api/v1/people"))["totalCount"]!.GetValue<int>().ShouldBe(0);
    }

    [Fact]
    public async Task Editing_changes_the_person_and_a_stale_form_says_so_keeps_the_typing_and_saves_on_the_second_try()
    {
        using var session = await PageSession.StartAsync(app);
        var person = await session.Admin.CreateAsync("/api/v1/people", new { firstName = "Erik", lastName = "Sund", medicalNote = "Asthma" });
        var id = (long)person["id"]!;
        (await session.PageAsync($"/people/{id}/edit")).QuerySelector("[name='Input.MedicalNote']")!.TextContent.ShouldBe("Asthma");

        // Someone else saves in between.
        using (var other = await session.Admin.PutAsync($"/api/v1/people/{id}", new { firstName = "Erik", lastName = "Sundberg" }))
        {
            other.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        var html = await session.Browser.GetStringAsync($"/people/{id}/edit", Cancel);
        var staleVersion = "0";
        var fields = new Dictionary<string, string>
        {
            ["Input.FirstName"] = "Erik",
            ["Input.LastName"] = "Sund",
            ["Input.MedicalNote"] = "Asthma, inhaler",
            ["Input.Active"] = "true",
            ["Input.Version"] = staleVersion,
        };
        using (var response = await session.Browser.PostAsync($"/people/{id}/edit", Web.WebForms.Form(html, fields), Cancel))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            var page = Html.Parse(await response.Content.ReadAsStringAsync(Cancel));
            page.TextOf(".validation-summary-errors").ShouldContain("Someone else saved Erik Sundberg while you were editing");
            page.TextOf("#changed-meanwhile").ShouldContain("Last name");
            page.QuerySelector("[name='Input.MedicalNote']")!.TextContent.ShouldBe("Asthma, inhaler");
            (await session.Admin.GetJsonAsync($"/api/v1/people/{id}"))["lastName"]!.GetValue<string>().ShouldBe("Sundberg");

            // Saving the shown form again applies it over the other save.
            var version = page.QuerySelector("[name='Input.Version']")!.GetAttribute("value")!;
            fields["Input.Version"] = version;
            using var again = await session.Browser.PostAsync($"/people/{id}/edit", Web.WebForms.Form(html, fields), Cancel);
            again.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }
        var saved = await session.Admin.GetJsonAsync($"/api/v1/people/{id}");
        saved["lastName"]!.GetValue<string>().ShouldBe("Sund");
        saved["medicalNote"]!.GetValue<string>().ShouldBe("Asthma, inhaler");
    }

    [Fact]
    public async Task Another_organizations_person_is_not_found_and_a_group_leader_edits_only_their_people()
    {
        using var session = await PageSession.StartAsync(app);
        using var other = await app.NewOrganizationAsync(cancellationToken: Cancel);
        var theirs = await other.CreateAsync("/api/v1/people", new { firstName = "Far", lastName = "Away" });
        using (var response = await session.Browser.GetAsync($"/people/{theirs["id"]}/edit", Cancel))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        var leader = await session.Admin.CreateAsync("/api/v1/people", new { firstName = "Lea", lastName = "Leader" });
        var member = await session.Admin.CreateAsync("/api/v1/people", new { firstName = "Mia", lastName = "Member" });
        var outsider = await session.Admin.CreateAsync("/api/v1/people", new { firstName = "Otto", lastName = "Outside" });
        var group = await session.Admin.CreateAsync("/api/v1/groups", new { name = "Youth", kind = "smallGroup" });
        await session.Admin.CreateAsync($"/api/v1/groups/{group["id"]}/members", new { personId = (long)leader["id"]!, role = "leader" });
        await session.Admin.CreateAsync($"/api/v1/groups/{group["id"]}/members", new { personId = (long)member["id"]!, role = "member" });
        using var asLeader = await session.AsAsync(app, OrganizationRole.GroupLeader, (long)leader["id"]!);

        (await asLeader.PageAsync($"/people/{member["id"]}/edit")).TextOf("h1").ShouldBe("Edit Mia Member");
        using (var response = await asLeader.Browser.GetAsync($"/people/{outsider["id"]}/edit", Cancel))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }
        using (var response = await asLeader.Browser.GetAsync("/people/new", Cancel))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        await using var db = app.Database(session.OrganizationId);
        (await db.People.CountAsync(Cancel)).ShouldBe(3);
    }
}
