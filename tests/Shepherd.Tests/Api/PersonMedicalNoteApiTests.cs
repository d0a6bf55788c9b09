using System.Net;
using Shepherd.Data.Accounts;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Safety;
using Shouldly;

namespace Shepherd.Tests.Api;

public sealed class PersonMedicalNoteApiSqliteTests(SqliteApp app) : PersonMedicalNoteApiTests<SqliteApp>(app);

public sealed class PersonMedicalNoteApiPostgresTests(PostgresApp app) : PersonMedicalNoteApiTests<PostgresApp>(app);

/// <summary>medicalNote on /api/v1/people: written, read by every role that reads people, at most 500 characters, erased with the person.</summary>
public abstract class PersonMedicalNoteApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    [Fact]
    public async Task The_medical_note_round_trips_trimmed_and_a_viewer_reads_it()
    {
        using var api = await app.NewOrganizationAsync();
        var created = await api.CreateAsync("/api/v1/people", new { firstName = "Tim", lastName = "Ek", medicalNote = "  Peanut allergy: EpiPen in bag  " });
        created["medicalNote"]!.GetValue<string>().ShouldBe("Peanut allergy: EpiPen in bag");
        using var viewer = await app.NewMemberAsync(api.OrganizationId, OrganizationRole.Viewer);
        (await viewer.GetJsonAsync($"/api/v1/people/{created["id"]}"))["medicalNote"]!.GetValue<string>().ShouldBe("Peanut allergy: EpiPen in bag");

        // PUT is a full update: left out, the note is cleared like any other field.
        using (var put = await api.PutAsync($"/api/v1/people/{created["id"]}", new { firstName = "Tim", lastName = "Ek", medicalNote = "None known" }))
        {
            put.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        (await api.GetJsonAsync($"/api/v1/people/{created["id"]}"))["medicalNote"]!.GetValue<string>().ShouldBe("None known");
    }

    [Fact]
    public async Task A_medical_note_over_500_characters_is_refused_and_nothing_is_written()
    {
        using var api = await app.NewOrganizationAsync();
        var before = await Fingerprint.OfAsync(app, api.OrganizationId);
        await (await api.PostAsync("/api/v1/people", new { firstName = "Tim", lastName = "Ek", medicalNote = new string('x', 501) }))
            .ShouldBeValidationProblemAsync("medicalNote");
        (await Fingerprint.OfAsync(app, api.OrganizationId)).ShouldBe(before);
        (await api.CreateAsync("/api/v1/people", new { firstName = "Tim", lastName = "Ek", medicalNote = new string('x', 500) }))["medicalNote"]!
            .GetValue<string>().Length.ShouldBe(500);
    }

    [Fact]
    public async Task Erasing_a_person_removes_their_medical_note_and_the_export_holds_it_before()
    {
        using var api = await app.NewOrganizationAsync();
        var created = await api.CreateAsync("/api/v1/people", new { firstName = "Tim", lastName = "Ek", medicalNote = "Diabetic" });
        (await (await api.GetAsync($"/api/v1/people/{created["id"]}/export")).Content.ReadAsStringAsync()).ShouldContain("Diabetic");
        using (var erase = await api.PostAsync($"/api/v1/people/{created["id"]}/erase", new { confirm = "Tim Ek" }))
        {
            erase.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        (await api.GetJsonAsync($"/api/v1/people/{created["id"]}"))["medicalNote"].ShouldBeNull();
    }
}
