using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.CustomFields;
using Shepherd.Data.People;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Api;

public sealed class CustomFieldsApiSqliteTests(SqliteApp app) : CustomFieldsApiTests<SqliteApp>(app);

public sealed class CustomFieldsApiPostgresTests(PostgresApp app) : CustomFieldsApiTests<PostgresApp>(app);

/// <summary>/api/v1/custom-fields on each provider: definitions, and what may change once people have values.</summary>
public abstract class CustomFieldsApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    [Fact]
    public async Task A_created_choice_field_can_be_read_back_with_its_etag()
    {
        using var api = await app.NewOrganizationAsync();
        var created = await api.CreateAsync("/api/v1/custom-fields",
            new { key = "t-shirt-size", label = " T-shirt size ", type = "choice", choices = Choices(" S", "M", "L "), required = true, sortOrder = 3 });

        using var response = await api.GetAsync($"/api/v1/custom-fields/{created["id"]}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.ShouldBe("\"0\"");
        var field = await api.GetJsonAsync($"/api/v1/custom-fields/{created["id"]}");
        field["key"]!.GetValue<string>().ShouldBe("t-shirt-size");
        field["label"]!.GetValue<string>().ShouldBe("T-shirt size");
        field["type"]!.GetValue<string>().ShouldBe("choice");
        field["choices"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldBe(["S", "M", "L"]);
        field["required"]!.GetValue<bool>().ShouldBeTrue();
        field["sortOrder"]!.GetValue<int>().ShouldBe(3);
        field["active"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task A_field_of_another_type_has_no_choices_and_sensible_defaults()
    {
        using var api = await app.NewOrganizationAsync();

        var field = await api.CreateAsync("/api/v1/custom-fields", new { key = "allergies", label = "Allergies", type = "text" });

        field["choices"]!.AsArray().Count.ShouldBe(0);
        field["required"]!.GetValue<bool>().ShouldBeFalse();
        field["sortOrder"]!.GetValue<int>().ShouldBe(0);
        field["active"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task The_list_is_paged_by_sort_order_then_label_including_inactive_fields()
    {
        using var api = await app.NewOrganizationAsync();
        await api.CreateAsync("/api/v1/custom-fields", new { key = "zeta", label = "Zeta", type = "text", sortOrder = 1 });
        await api.CreateAsync("/api/v1/custom-fields", new { key = "beta", label = "Beta", type = "number", sortOrder = 2 });
        await api.CreateAsync("/api/v1/custom-fields", new { key = "alpha", label = "Alpha", type = "date", sortOrder = 2, active = false });

        var page = await api.GetJsonAsync("/api/v1/custom-fields?page=1&pageSize=2");

        page["totalCount"]!.GetValue<int>().ShouldBe(3);
        page["items"]!.AsArray().Select(i => i!["key"]!.GetValue<string>()).ShouldBe(["zeta", "alpha"]);
        var rest = await api.GetJsonAsync("/api/v1/custom-fields?page=2&pageSize=2");
        rest["items"]!.AsArray().Select(i => i!["key"]!.GetValue<string>()).ShouldBe(["beta"]);
        await (await api.GetAsync("/api/v1/custom-fields?pageSize=100000")).ShouldBeValidationProblemAsync("pageSize");
    }

    [Theory]
    [InlineData("""{"label":"Size","type":"text"}""", "key")]
    [InlineData("""{"key":"Size","label":"Size","type":"text"}""", "key")]
    [InlineData("""{"key":"1size","label":"Size","type":"text"}""", "key")]
    [InlineData("""{"key":"shirt size","label":"Size","type":"text"}""", "key")]
    [InlineData("""{"key":"KEY_51","label":"Size","type":"text"}""", "key")]
    [InlineData("""{"key":"size","type":"text"}""", "label")]
    [InlineData("""{"key":"size","label":"LABEL_101","type":"text"}""", "label")]
    [InlineData("""{"key":"size","label":"Size"}""", "type")]
    [InlineData("""{"key":"size","label":"Size","type":"colour"}""", "type")]
    [InlineData("""{"key":"size","label":"Size","type":"choice"}""", "choices")]
    [InlineData("""{"key":"size","label":"Size","type":"choice","choices":[]}""", "choices")]
    [InlineData("""{"key":"size","label":"Size","type":"choice","choices":["S","M","s"]}""", "choices")]
    [InlineData("""{"key":"size","label":"Size","type":"choice","choices":["S"," "]}""", "choices")]
    [InlineData("""{"key":"size","label":"Size","type":"choice","choices":["S",null]}""", "choices")]
    [InlineData("""{"key":"size","label":"Size","type":"choice","choices":["CHOICE_101"]}""", "choices")]
    [InlineData("""{"key":"size","label":"Size","type":"choice","choices":[MANY_CHOICES]}""", "choices")]
    [InlineData("""{"key":"size","label":"Size","type":"text","choices":["S"]}""", "choices")]
    [InlineData("""{"key":"size","label":"Size","type":"choice","choices":"S"}""", "choices")]
    [InlineData("""{"key":"size","label":"Size","type":"text","sortOrder":"first"}""", "sortOrder")]
    [InlineData("""{"key":"size","label":"Size","type":"text""", "type")]
    public async Task Bad_input_is_a_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        using var api = await app.NewOrganizationAsync();
        body = body.Replace("KEY_51", "k" + new string('x', 50), StringComparison.Ordinal)
            .Replace("LABEL_101", new string('l', 101), StringComparison.Ordinal)
            .Replace("CHOICE_101", new string('c', 101), StringComparison.Ordinal)
            .Replace("MANY_CHOICES", string.Join(',', Enumerable.Range(1, 101).Select(i => $"\"c{i}\"")), StringComparison.Ordinal);

        using var response = await api.SendRawAsync(HttpMethod.Post, "/api/v1/custom-fields", body);

        await response.ShouldBeValidationProblemAsync(field);
        await using var db = app.Database(api.OrganizationId);
        (await db.CustomFields.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task A_hundred_choices_of_a_hundred_characters_are_accepted()
    {
        using var api = await app.NewOrganizationAsync();
        var choices = Enumerable.Range(100, 100).Select(i => i + new string('x', 97)).ToArray();

        var field = await api.CreateAsync("/api/v1/custom-fields", new { key = "big", label = "Big", type = "choice", choices });

        (await api.GetJsonAsync($"/api/v1/custom-fields/{field["id"]}"))["choices"]!.AsArray()
            .Select(c => c!.GetValue<string>()).ShouldBe(choices);
    }

    [Fact]
    public async Task A_duplicate_key_is_a_conflict_on_create_and_update()
    {
        using var api = await app.NewOrganizationAsync();
        await api.CreateAsync("/api/v1/custom-fields", new { key = "allergies", label = "Allergies", type = "text" });
        var other = await api.CreateAsync("/api/v1/custom-fields", new { key = "diet", label = "Diet", type = "text" });

        await (await api.PostAsync("/api/v1/custom-fields", new { key = "allergies", label = "Other", type = "text" }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await api.PutAsync($"/api/v1/custom-fields/{other["id"]}", new { key = "allergies", label = "Diet", type = "text" }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);

        await using var db = app.Database(api.OrganizationId);
        (await db.CustomFields.Select(f => f.Key).OrderBy(k => k).ToListAsync()).ShouldBe(["allergies", "diet"]);
    }

    [Fact]
    public async Task Without_values_everything_about_a_field_can_change()
    {
        using var api = await app.NewOrganizationAsync();
        var field = await api.CreateAsync("/api/v1/custom-fields", new { key = "size", label = "Size", type = "choice", choices = Choices("S", "M") });
        var url = $"/api/v1/custom-fields/{field["id"]}";

        using var response = await api.PutAsync(url, new { key = "shoe-size", label = "Shoe size", type = "number", required = true, sortOrder = 5, active = false });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.ShouldBe("\"1\"");
        var stored = await api.GetJsonAsync(url);
        stored["key"]!.GetValue<string>().ShouldBe("shoe-size");
        stored["type"]!.GetValue<string>().ShouldBe("number");
        stored["choices"]!.AsArray().Count.ShouldBe(0);
        stored["required"]!.GetValue<bool>().ShouldBeTrue();
        stored["sortOrder"]!.GetValue<int>().ShouldBe(5);
        stored["active"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task Once_people_have_values_the_key_type_and_used_choices_cannot_change()
    {
        using var api = await app.NewOrganizationAsync();
        var field = await api.CreateAsync("/api/v1/custom-fields", new { key = "size", label = "Size", type = "choice", choices = Choices("S", "M", "L") });
        var url = $"/api/v1/custom-fields/{field["id"]}";
        await AddValueAsync(api, field["id"]!.GetValue<long>(), "M");

        var key = await (await api.PutAsync(url, new { key = "shirt", label = "Size", type = "choice", choices = Choices("S", "M", "L") }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);
        key["detail"]!.GetValue<string>().ShouldContain("key");
        var type = await (await api.PutAsync(url, new { key = "size", label = "Size", type = "text" }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);
        type["detail"]!.GetValue<string>().ShouldContain("type");
        var choice = await (await api.PutAsync(url, new { key = "size", label = "Size", type = "choice", choices = Choices("S", "L") }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);
        choice["detail"]!.GetValue<string>().ShouldContain("'M'");
        (await api.GetJsonAsync(url))["version"]!.GetValue<int>().ShouldBe(0);

        using var allowed = await api.PutAsync(url, new { key = "size", label = "Shirt size", type = "choice", choices = Choices("M", "XL") });
        allowed.StatusCode.ShouldBe(HttpStatusCode.OK);
        var stored = await api.GetJsonAsync(url);
        stored["label"]!.GetValue<string>().ShouldBe("Shirt size");
        stored["choices"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldBe(["M", "XL"]);
    }

    [Fact]
    public async Task An_update_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        using var api = await app.NewOrganizationAsync();
        var field = await api.CreateAsync("/api/v1/custom-fields", new { key = "diet", label = "Diet", type = "text" });
        var url = $"/api/v1/custom-fields/{field["id"]}";
        (await api.PutAsync(url, new { key = "diet", label = "Dietary needs", type = "text" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var stale = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(new { key = "diet", label = "Overwritten", type = "text" }) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"0\""));
        await (await api.Http.SendAsync(stale)).ShouldBeProblemAsync(HttpStatusCode.PreconditionFailed);

        (await api.GetJsonAsync(url))["label"]!.GetValue<string>().ShouldBe("Dietary needs");
    }

    [Fact]
    public async Task A_field_with_values_cannot_be_deleted_but_an_unused_one_can()
    {
        using var api = await app.NewOrganizationAsync();
        var used = await api.CreateAsync("/api/v1/custom-fields", new { key = "allergies", label = "Allergies", type = "text" });
        var unused = await api.CreateAsync("/api/v1/custom-fields", new { key = "diet", label = "Diet", type = "text" });
        await AddValueAsync(api, used["id"]!.GetValue<long>(), "Peanuts");

        var problem = await (await api.DeleteAsync($"/api/v1/custom-fields/{used["id"]}")).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        problem["detail"]!.GetValue<string>().ShouldContain("active");
        (await api.DeleteAsync($"/api/v1/custom-fields/{unused["id"]}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await (await api.GetAsync($"/api/v1/custom-fields/{unused["id"]}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await using var db = app.Database(api.OrganizationId);
        (await db.CustomFieldValues.CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task Another_organizations_field_is_not_found()
    {
        using var mine = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var their = await theirs.CreateAsync("/api/v1/custom-fields", new { key = "allergies", label = "Allergies", type = "text" });
        var url = $"/api/v1/custom-fields/{their["id"]}";

        await (await mine.GetAsync(url)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PutAsync(url, new { key = "allergies", label = "Mine now", type = "text" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.DeleteAsync(url)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await mine.GetJsonAsync("/api/v1/custom-fields"))["totalCount"]!.GetValue<int>().ShouldBe(0);

        (await theirs.GetJsonAsync(url))["label"]!.GetValue<string>().ShouldBe("Allergies");
        // Keys are unique per organization, not globally.
        await mine.CreateAsync("/api/v1/custom-fields", new { key = "allergies", label = "Allergies", type = "text" });
    }

    private static List<string> Choices(params string[] choices) => [.. choices];

    /// <summary>Stores a person's value directly: the people API that writes values is built separately.</summary>
    private async Task AddValueAsync(ApiClient api, long definitionId, string value)
    {
        await using var db = app.Database(api.OrganizationId);
        var person = new Person { FirstName = "Ann", LastName = "Lee" };
        person.RefreshSearchColumns();
        person.CustomFieldValues.Add(new CustomFieldValue { DefinitionId = definitionId, Value = value });
        db.People.Add(person);
        await db.SaveChangesAsync();
    }
}
