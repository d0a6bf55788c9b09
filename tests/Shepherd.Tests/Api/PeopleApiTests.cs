using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.CustomFields;
using Shepherd.Data.Groups;
using Shepherd.Tests.Infrastructure;
using Shouldly;

namespace Shepherd.Tests.Api;

public sealed class PeopleApiSqliteTests(SqliteApp app) : PeopleApiTests<SqliteApp>(app);

public sealed class PeopleApiPostgresTests(PostgresApp app) : PeopleApiTests<PostgresApp>(app);

/// <summary>Bodies POST /api/v1/people must refuse, with the field the error names.</summary>
public static class PersonBadBodies
{
    public static TheoryData<string, string> All() => new()
    {
        { """{"lastName":"Berg"}""", "firstName" },
        { """{"firstName":"  ","lastName":"Berg"}""", "firstName" },
        { $$"""{"firstName":"{{new string('a', 101)}}","lastName":"Berg"}""", "firstName" },
        { $$"""{"firstName":"Anna","lastName":"{{new string('b', 101)}}"}""", "lastName" },
        { $$"""{"firstName":"Anna","lastName":"Berg","suffix":"{{new string('c', 21)}}"}""", "suffix" },
        { """{"firstName":5,"lastName":"Berg"}""", "firstName" },
        { """{"firstName":"Anna","lastName":"Berg","emails":[{"address":"not-an-email"}]}""", "emails[0].address" },
        { """{"firstName":"Anna","lastName":"Berg","emails":[{"address":"anna@localhost"}]}""", "emails[0].address" },
        { """{"firstName":"Anna","lastName":"Berg","emails":[{"address":"Anna <anna@example.org>"}]}""", "emails[0].address" },
        { """{"firstName":"Anna","lastName":"Berg","emails":[{"address":"a@example.org","isPrimary":true},{"address":"b@example.org","isPrimary":true}]}""", "emails" },
        { """{"firstName":"Anna","lastName":"Berg","emails":"anna@example.org"}""", "emails" },
        { """{"firstName":"Anna","lastName":"Berg","phones":[{"number":"call me"}]}""", "phones[0].number" },
        { $$"""{"firstName":"Anna","lastName":"Berg","phones":[{"number":"{{new string('5', 31)}}"}]}""", "phones[0].number" },
        { """{"firstName":"Anna","lastName":"Berg","birthDate":"2999-01-01"}""", "birthDate" },
        { """{"firstName":"Anna","lastName":"Berg","birthDate":"1990-13-01"}""", "birthDate" },
        { """{"firstName":"Anna","lastName":"Berg","gender":"robot"}""", "gender" },
        { """{"firstName":"Anna","lastName":"Berg","membershipStatus":2}""", "membershipStatus" },
        { """{"firstName":"Anna","lastName":"Berg","campusId":999999999}""", "campusId" },
        { """{"firstName":"Anna","lastName":"Berg","campusId":"north"}""", "campusId" },
        { """{"firstName":"Anna","lastName":"Berg","customFields":{"hat":"M"}}""", "customFields.hat" },
        { """{"firstName":"Anna","lastName":"Berg","customFields":{"shirt":"XL"}}""", "customFields.shirt" },
        { """{"firstName":"Anna","lastName":"Berg","customFields":{"shoe":"big"}}""", "customFields.shoe" },
        { """{"firstName":"Anna","lastName":"Berg","customFields":{"since":"01/02/2020"}}""", "customFields.since" },
        { """{"firstName":"Anna","lastName":"Berg","customFields":{"baptized":"yes"}}""", "customFields.baptized" },
        { $$$"""{"firstName":"Anna","lastName":"Berg","customFields":{"notes":"{{{new string('n', 1001)}}}"}}""", "customFields.notes" },
        { """{"firstName":"Anna","lastName":"Berg","customFields":["shirt"]}""", "customFields" },
        { """{"firstName":"Anna","lastName":"Berg""", "lastName" },
        { """nope""", "body" },
    };
}

/// <summary>/api/v1/people on each provider.</summary>
public abstract class PeopleApiTests<TApp>(TApp app) where TApp : ShepherdApp
{
    private static readonly byte[] Png = TestImages.Of(40, 30, SkiaSharp.SKEncodedImageFormat.Png);

    private static Task<JsonObject> CreatePersonAsync(ApiClient api, string first, string last, object? extra = null)
    {
        var body = JsonSerializerNode(extra);
        body["firstName"] = first;
        body["lastName"] = last;
        return api.CreateAsync("/api/v1/people", body);
    }

    private static JsonObject JsonSerializerNode(object? extra) =>
        extra is null ? [] : System.Text.Json.JsonSerializer.SerializeToNode(extra, ApiClient.Json)!.AsObject();

    private static string[] Names(JsonObject page) =>
        [.. page["items"]!.AsArray().Select(i => $"{i!["firstName"]!.GetValue<string>()} {i["lastName"]!.GetValue<string>()}")];

    private static async Task AddCustomFieldAsync(TApp app, long organizationId, CustomFieldDefinition definition)
    {
        await using var db = app.Database(organizationId);
        db.CustomFields.Add(definition);
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_created_person_is_read_back_with_contacts_custom_fields_and_etag()
    {
        using var api = await app.NewOrganizationAsync();
        await AddCustomFieldAsync(app, api.OrganizationId, new CustomFieldDefinition { Key = "shirt", Label = "Shirt", Type = CustomFieldType.Choice, Choices = ["S", "M"] });
        await AddCustomFieldAsync(app, api.OrganizationId, new CustomFieldDefinition { Key = "shoe", Label = "Shoe size", Type = CustomFieldType.Number });
        var campus = await api.CreateAsync("/api/v1/campuses", new { name = "North" });

        var created = await api.CreateAsync("/api/v1/people", new
        {
            firstName = " Anna ",
            lastName = "Berg",
            preferredName = "Ann",
            emails = new object[] { new { address = "anna@example.org", label = "work" }, new { address = "Ann.Berg@Example.org", isPrimary = true } },
            phones = new[] { new { number = "+1 (555) 123-4567", isPrimary = true, canText = true } },
            address = new { city = "Springfield" },
            birthDate = "1990-04-01",
            gender = "female",
            membershipStatus = "member",
            campusId = campus["id"]!.GetValue<long>(),
            customFields = new Dictionary<string, object> { ["shirt"] = "M", ["shoe"] = 38.5 },
        });

        using var response = await api.GetAsync($"/api/v1/people/{created["id"]}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.ShouldBe("\"0\"");
        var person = await api.GetJsonAsync($"/api/v1/people/{created["id"]}");
        person["firstName"]!.GetValue<string>().ShouldBe("Anna");
        person["displayName"]!.GetValue<string>().ShouldBe("Ann Berg");
        person["emails"]!.AsArray().Select(e => e!["address"]!.GetValue<string>()).ShouldBe(["Ann.Berg@Example.org", "anna@example.org"]);
        person["emails"]![0]!["isPrimary"]!.GetValue<bool>().ShouldBeTrue();
        person["phones"]![0]!["canText"]!.GetValue<bool>().ShouldBeTrue();
        person["address"]!["city"]!.GetValue<string>().ShouldBe("Springfield");
        person["birthDate"]!.GetValue<string>().ShouldBe("1990-04-01");
        person["membershipStatus"]!.GetValue<string>().ShouldBe("member");
        person["customFields"]!["shirt"]!.GetValue<string>().ShouldBe("M");
        person["customFields"]!["shoe"]!.GetValue<decimal>().ShouldBe(38.5m);
        person["families"]!.AsArray().ShouldBeEmpty();

        await using var db = app.Database(api.OrganizationId);
        var stored = await db.People.SingleAsync();
        stored.Email.ShouldBe("ann.berg@example.org");
        stored.Phone.ShouldBe("15551234567");
        stored.SearchName.ShouldBe("anna ann berg");
    }

    [Fact]
    public async Task The_list_is_paged_and_sorted_by_last_then_first_name_by_default()
    {
        using var api = await app.NewOrganizationAsync();
        await CreatePersonAsync(api, "Zoe", "Adams");
        await CreatePersonAsync(api, "Bob", "Young");
        await CreatePersonAsync(api, "Amy", "Adams");

        var first = await api.GetJsonAsync("/api/v1/people?page=1&pageSize=2");
        first["totalCount"]!.GetValue<int>().ShouldBe(3);
        Names(first).ShouldBe(["Amy Adams", "Zoe Adams"]);
        Names(await api.GetJsonAsync("/api/v1/people?page=2&pageSize=2")).ShouldBe(["Bob Young"]);
        Names(await api.GetJsonAsync("/api/v1/people?sort=-name")).ShouldBe(["Bob Young", "Zoe Adams", "Amy Adams"]);
        Names(await api.GetJsonAsync("/api/v1/people?sort=firstName")).ShouldBe(["Amy Adams", "Bob Young", "Zoe Adams"]);
        Names(await api.GetJsonAsync("/api/v1/people?sort=-createdAt")).ShouldBe(["Amy Adams", "Bob Young", "Zoe Adams"]);
    }

    [Fact]
    public async Task Sorting_by_birth_date_puts_unknown_dates_last()
    {
        using var api = await app.NewOrganizationAsync();
        await CreatePersonAsync(api, "Old", "One", new { birthDate = "1950-01-01" });
        await CreatePersonAsync(api, "No", "Date");
        await CreatePersonAsync(api, "Young", "One", new { birthDate = "2010-01-01" });

        Names(await api.GetJsonAsync("/api/v1/people?sort=birthDate")).ShouldBe(["Old One", "Young One", "No Date"]);
        Names(await api.GetJsonAsync("/api/v1/people?sort=-birthDate")).ShouldBe(["Young One", "Old One", "No Date"]);
    }

    [Theory]
    [InlineData("/api/v1/people?sort=shoeSize", "sort")]
    [InlineData("/api/v1/people?sort=--name", "sort")]
    [InlineData("/api/v1/people?pageSize=100000", "pageSize")]
    [InlineData("/api/v1/people?page=0", "page")]
    [InlineData("/api/v1/people?status=pastor", "status")]
    [InlineData("/api/v1/people?status=1", "status")]
    public async Task Bad_list_parameters_are_a_400_naming_the_parameter(string url, string field)
    {
        using var api = await app.NewOrganizationAsync();

        await (await api.GetAsync(url)).ShouldBeValidationProblemAsync(field);
    }

    [Fact]
    public async Task A_non_boolean_active_filter_is_a_400_not_a_500()
    {
        using var api = await app.NewOrganizationAsync();

        await (await api.GetAsync("/api/v1/people?active=maybe")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("berg", "Anna Berg")]
    [InlineData("ANN", "Anna Berg")]
    [InlineData("kim@", "Kim Lee")]
    [InlineData("EXAMPLE.NET", "Kim Lee")]
    [InlineData("555-98", "Kim Lee")]
    [InlineData("(555) 123", "Anna Berg")]
    public async Task Search_matches_name_email_or_phone(string q, string expected)
    {
        using var api = await app.NewOrganizationAsync();
        await CreatePersonAsync(api, "Anna", "Berg", new { emails = new[] { new { address = "anna@example.org" } }, phones = new[] { new { number = "555 123 4567" } } });
        await CreatePersonAsync(api, "Kim", "Lee", new { emails = new[] { new { address = "Kim@Example.net" } }, phones = new[] { new { number = "555-987-6543" } } });

        var page = await api.GetJsonAsync($"/api/v1/people?q={Uri.EscapeDataString(q)}");

        Names(page).ShouldBe([expected]);
        page["totalCount"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task Fewer_than_three_digits_do_not_search_phones()
    {
        using var api = await app.NewOrganizationAsync();
        await CreatePersonAsync(api, "Anna", "Berg", new { phones = new[] { new { number = "555 123 4567" } } });

        Names(await api.GetJsonAsync("/api/v1/people?q=55")).ShouldBeEmpty();
        Names(await api.GetJsonAsync("/api/v1/people?q=555")).ShouldBe(["Anna Berg"]);
    }

    [Fact]
    public async Task List_items_are_a_compact_summary_with_the_primary_contacts()
    {
        using var api = await app.NewOrganizationAsync();
        await CreatePersonAsync(api, "Anna", "Berg", new
        {
            emails = new object[] { new { address = "other@example.org" }, new { address = "main@example.org", isPrimary = true } },
            phones = new[] { new { number = "555 123 4567" } },
        });

        var item = (await api.GetJsonAsync("/api/v1/people"))["items"]![0]!.AsObject();

        item["email"]!.GetValue<string>().ShouldBe("main@example.org");
        item["phone"]!.GetValue<string>().ShouldBe("555 123 4567");
        item["displayName"]!.GetValue<string>().ShouldBe("Anna Berg");
        item["membershipStatus"]!.GetValue<string>().ShouldBe("visitor");
        item.ContainsKey("emails").ShouldBeFalse();
        item.ContainsKey("customFields").ShouldBeFalse();
    }

    [Fact]
    public async Task Filters_by_status_campus_group_and_active()
    {
        using var api = await app.NewOrganizationAsync();
        var north = (await api.CreateAsync("/api/v1/campuses", new { name = "North" }))["id"]!.GetValue<long>();
        var member = await CreatePersonAsync(api, "Mia", "Member", new { membershipStatus = "member", campusId = north });
        await CreatePersonAsync(api, "Val", "Visitor", new { membershipStatus = "visitor" });
        await CreatePersonAsync(api, "Ian", "Inactive", new { membershipStatus = "member", active = false });
        long groupId;
        await using (var db = app.Database(api.OrganizationId))
        {
            var group = new Group { Name = "Youth" };
            group.Members.Add(new GroupMember { PersonId = member["id"]!.GetValue<long>(), JoinedOn = new DateOnly(2026, 1, 1) });
            db.Groups.Add(group);
            await db.SaveChangesAsync();
            groupId = group.Id;
        }

        Names(await api.GetJsonAsync("/api/v1/people?status=member")).ShouldBe(["Ian Inactive", "Mia Member"]);
        Names(await api.GetJsonAsync("/api/v1/people?status=Visitor")).ShouldBe(["Val Visitor"]);
        Names(await api.GetJsonAsync($"/api/v1/people?campusId={north}")).ShouldBe(["Mia Member"]);
        Names(await api.GetJsonAsync($"/api/v1/people?groupId={groupId}")).ShouldBe(["Mia Member"]);
        Names(await api.GetJsonAsync("/api/v1/people?active=false")).ShouldBe(["Ian Inactive"]);
        Names(await api.GetJsonAsync("/api/v1/people?active=true&status=member")).ShouldBe(["Mia Member"]);
    }

    [Fact]
    public async Task Archiving_hides_a_person_from_the_list_and_restoring_brings_them_back()
    {
        using var api = await app.NewOrganizationAsync();
        var anna = await CreatePersonAsync(api, "Anna", "Berg");
        await CreatePersonAsync(api, "Kim", "Lee");
        var url = $"/api/v1/people/{anna["id"]}";

        (await api.Http.PostAsync($"{url}/archive", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var archivedAt = (await api.GetJsonAsync(url))["archivedAt"]!.GetValue<DateTimeOffset>();
        (await api.Http.PostAsync($"{url}/archive", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await api.GetJsonAsync(url))["archivedAt"]!.GetValue<DateTimeOffset>().ShouldBe(archivedAt);
        Names(await api.GetJsonAsync("/api/v1/people")).ShouldBe(["Kim Lee"]);
        Names(await api.GetJsonAsync("/api/v1/people?includeArchived=true")).ShouldBe(["Anna Berg", "Kim Lee"]);

        (await api.Http.PostAsync($"{url}/restore", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        Names(await api.GetJsonAsync("/api/v1/people")).ShouldBe(["Anna Berg", "Kim Lee"]);
        (await api.GetJsonAsync(url))["archivedAt"].ShouldBeNull();
        (await api.DeleteAsync(url)).StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task An_update_replaces_names_contacts_and_custom_values()
    {
        using var api = await app.NewOrganizationAsync();
        await AddCustomFieldAsync(app, api.OrganizationId, new CustomFieldDefinition { Key = "shirt", Label = "Shirt", Type = CustomFieldType.Choice, Choices = ["S", "M"] });
        await AddCustomFieldAsync(app, api.OrganizationId, new CustomFieldDefinition { Key = "baptized", Label = "Baptized", Type = CustomFieldType.Boolean });
        var created = await CreatePersonAsync(api, "Anna", "Berg", new
        {
            emails = new[] { new { address = "old@example.org" } },
            phones = new[] { new { number = "555 000 1111" } },
            customFields = new Dictionary<string, object> { ["shirt"] = "S", ["baptized"] = false },
        });
        var url = $"/api/v1/people/{created["id"]}";

        using var response = await api.PutAsync(url, new
        {
            firstName = "Anna",
            lastName = "Lind",
            emails = new[] { new { address = "new@example.org" } },
            customFields = new Dictionary<string, object> { ["baptized"] = true },
        });

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Headers.ETag!.Tag.ShouldBe("\"1\"");
        var person = await api.GetJsonAsync(url);
        person["lastName"]!.GetValue<string>().ShouldBe("Lind");
        person["emails"]!.AsArray().Select(e => e!["address"]!.GetValue<string>()).ShouldBe(["new@example.org"]);
        person["phones"]!.AsArray().ShouldBeEmpty();
        person["customFields"]!.AsObject().Select(kv => kv.Key).ShouldBe(["baptized"]);
        person["customFields"]!["baptized"]!.GetValue<bool>().ShouldBeTrue();
        Names(await api.GetJsonAsync("/api/v1/people?q=old%40")).ShouldBeEmpty();
        Names(await api.GetJsonAsync("/api/v1/people?q=lind")).ShouldBe(["Anna Lind"]);
        await using var db = app.Database(api.OrganizationId);
        (await db.PersonEmails.CountAsync()).ShouldBe(1);
        (await db.PersonPhones.CountAsync()).ShouldBe(0);
        (await db.CustomFieldValues.CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task An_update_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        using var api = await app.NewOrganizationAsync();
        var created = await CreatePersonAsync(api, "Anna", "Berg");
        var url = $"/api/v1/people/{created["id"]}";
        (await api.PutAsync(url, new { firstName = "Anna", lastName = "Lind" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var stale = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(new { firstName = "X", lastName = "Y" }) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"0\""));
        await (await api.Http.SendAsync(stale)).ShouldBeProblemAsync(HttpStatusCode.PreconditionFailed);

        using var fresh = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(new { firstName = "Anna", lastName = "Holm" }) };
        fresh.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        (await api.Http.SendAsync(fresh)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await api.GetJsonAsync(url))["lastName"]!.GetValue<string>().ShouldBe("Holm");
    }

    [Theory]
    [MemberData(nameof(PersonBadBodies.All), MemberType = typeof(PersonBadBodies))]
    public async Task Bad_input_is_a_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        using var api = await app.NewOrganizationAsync();
        await AddTypedCustomFieldsAsync(api.OrganizationId);

        using var response = await api.SendRawAsync(HttpMethod.Post, "/api/v1/people", body);

        await response.ShouldBeValidationProblemAsync(field);
        await using var db = app.Database(api.OrganizationId);
        (await db.People.IgnoreQueryFilters().CountAsync(p => p.OrganizationId == api.OrganizationId)).ShouldBe(0);
        (await db.PersonEmails.CountAsync()).ShouldBe(0);
        (await db.CustomFieldValues.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task A_rejected_update_leaves_the_person_and_their_lists_untouched()
    {
        using var api = await app.NewOrganizationAsync();
        await AddTypedCustomFieldsAsync(api.OrganizationId);
        var created = await CreatePersonAsync(api, "Anna", "Berg", new
        {
            emails = new[] { new { address = "anna@example.org" } },
            phones = new[] { new { number = "555 123 4567" } },
            customFields = new Dictionary<string, object> { ["shirt"] = "S" },
        });
        var url = $"/api/v1/people/{created["id"]}";

        using var response = await api.PutAsync(url, new
        {
            firstName = "Changed",
            lastName = "Name",
            emails = new[] { new { address = "fine@example.org" } },
            customFields = new Dictionary<string, object> { ["shoe"] = "big" },
        });

        await response.ShouldBeValidationProblemAsync("customFields.shoe");
        var person = await api.GetJsonAsync(url);
        person["firstName"]!.GetValue<string>().ShouldBe("Anna");
        person["version"]!.GetValue<int>().ShouldBe(0);
        person["emails"]![0]!["address"]!.GetValue<string>().ShouldBe("anna@example.org");
        person["phones"]!.AsArray().Count.ShouldBe(1);
        person["customFields"]!["shirt"]!.GetValue<string>().ShouldBe("S");
    }

    [Fact]
    public async Task Custom_values_are_accepted_in_each_type_and_stored_as_invariant_text()
    {
        using var api = await app.NewOrganizationAsync();
        await AddTypedCustomFieldsAsync(api.OrganizationId);

        var created = await CreatePersonAsync(api, "Anna", "Berg", new
        {
            customFields = new Dictionary<string, object> { ["shirt"] = "M", ["shoe"] = "41.5", ["since"] = "2020-02-01", ["baptized"] = "true", ["notes"] = " Likes tea " },
        });

        var fields = (await api.GetJsonAsync($"/api/v1/people/{created["id"]}"))["customFields"]!;
        fields["shoe"]!.GetValue<decimal>().ShouldBe(41.5m);
        fields["since"]!.GetValue<string>().ShouldBe("2020-02-01");
        fields["baptized"]!.GetValue<bool>().ShouldBeTrue();
        fields["notes"]!.GetValue<string>().ShouldBe("Likes tea");
        await using var db = app.Database(api.OrganizationId);
        (await db.CustomFieldValues.Include(v => v.Definition).SingleAsync(v => v.Definition!.Key == "shoe")).Value.ShouldBe("41.5");
    }

    [Fact]
    public async Task A_required_custom_field_must_be_given_on_create()
    {
        using var api = await app.NewOrganizationAsync();
        await AddCustomFieldAsync(app, api.OrganizationId, new CustomFieldDefinition { Key = "allergies", Label = "Allergies", Type = CustomFieldType.Text, Required = true });

        await (await api.PostAsync("/api/v1/people", new { firstName = "Anna", lastName = "Berg" })).ShouldBeValidationProblemAsync("customFields.allergies");
        await CreatePersonAsync(api, "Anna", "Berg", new { customFields = new { allergies = "none" } });
    }

    [Fact]
    public async Task Another_organizations_person_is_not_found()
    {
        using var mine = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var their = await CreatePersonAsync(theirs, "Their", "Person");
        var url = $"/api/v1/people/{their["id"]}";

        await (await mine.GetAsync(url)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.PutAsync(url, new { firstName = "Mine", lastName = "Now" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.Http.PostAsync($"{url}/archive", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.Http.PostAsync($"{url}/restore", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.GetAsync($"{url}/photo")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await mine.Http.PutAsync($"{url}/photo", Image(Png, "image/png"))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        Names(await mine.GetJsonAsync("/api/v1/people?q=their")).ShouldBeEmpty();
        var still = await theirs.GetJsonAsync(url);
        still["firstName"]!.GetValue<string>().ShouldBe("Their");
        still["archivedAt"].ShouldBeNull();
    }

    [Fact]
    public async Task A_campus_of_another_organization_cannot_be_assigned()
    {
        using var mine = await app.NewOrganizationAsync();
        using var theirs = await app.NewOrganizationAsync();
        var campus = await theirs.CreateAsync("/api/v1/campuses", new { name = "Theirs" });

        await (await mine.PostAsync("/api/v1/people", new { firstName = "Anna", lastName = "Berg", campusId = campus["id"]!.GetValue<long>() }))
            .ShouldBeValidationProblemAsync("campusId");
    }

    [Fact]
    public async Task A_photo_upload_round_trips()
    {
        using var api = await app.NewOrganizationAsync();
        var created = await CreatePersonAsync(api, "Anna", "Berg");
        var url = $"/api/v1/people/{created["id"]}/photo";
        await (await api.GetAsync(url)).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        (await api.Http.PutAsync(url, Image(Png, "image/png"))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        using var photo = await api.GetAsync(url);
        photo.StatusCode.ShouldBe(HttpStatusCode.OK);
        photo.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
        (await photo.Content.ReadAsByteArrayAsync()).ShouldBe(Png);
        (await api.GetJsonAsync($"/api/v1/people/{created["id"]}"))["photoUpdatedAt"].ShouldNotBeNull();

        var jpeg = TestImages.Of(60, 80, SkiaSharp.SKEncodedImageFormat.Jpeg);
        (await api.Http.PutAsync(url, Image(jpeg, "image/jpeg"))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        using var replaced = await api.GetAsync(url);
        replaced.Content.Headers.ContentType!.MediaType.ShouldBe("image/jpeg");
        (await replaced.Content.ReadAsByteArrayAsync()).ShouldBe(jpeg);
        await using var db = app.Database(api.OrganizationId);
        (await db.PersonPhotos.CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task A_photo_of_the_wrong_type_size_or_content_is_refused()
    {
        using var api = await app.NewOrganizationAsync();
        var created = await CreatePersonAsync(api, "Anna", "Berg");
        var url = $"/api/v1/people/{created["id"]}/photo";

        await (await api.Http.PutAsync(url, Image(Png, "image/gif"))).ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await api.Http.PutAsync(url, Image(Png, "text/plain"))).ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await api.Http.PutAsync(url, Image(Png, "image/jpeg"))).ShouldBeValidationProblemAsync("body");
        await (await api.Http.PutAsync(url, Image([], "image/png"))).ShouldBeValidationProblemAsync("body");
        // Starts like a PNG, but is not one.
        await (await api.Http.PutAsync(url, Image([.. Png.Take(16)], "image/png"))).ShouldBeValidationProblemAsync("body");
        var huge = new byte[(5 * 1024 * 1024) + 1];
        Png.CopyTo(huge, 0);
        await (await api.Http.PutAsync(url, Image(huge, "image/png"))).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        await using var db = app.Database(api.OrganizationId);
        (await db.PersonPhotos.CountAsync()).ShouldBe(0);
        (await db.People.SingleAsync()).PhotoUpdatedAt.ShouldBeNull();
    }

    [Fact]
    public async Task A_webp_photo_is_accepted()
    {
        using var api = await app.NewOrganizationAsync();
        var created = await CreatePersonAsync(api, "Anna", "Berg");
        var webp = TestImages.Of(20, 20, SkiaSharp.SKEncodedImageFormat.Webp);

        (await api.Http.PutAsync($"/api/v1/people/{created["id"]}/photo", Image(webp, "image/webp"))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_large_photo_is_stored_scaled_down_to_800_pixels_in_its_own_format()
    {
        using var api = await app.NewOrganizationAsync();
        var created = await CreatePersonAsync(api, "Anna", "Berg");
        var url = $"/api/v1/people/{created["id"]}/photo";
        var large = TestImages.Of(2400, 1200, SkiaSharp.SKEncodedImageFormat.Jpeg);

        (await api.Http.PutAsync(url, Image(large, "image/jpeg"))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        using var photo = await api.GetAsync(url);
        photo.Content.Headers.ContentType!.MediaType.ShouldBe("image/jpeg");
        var stored = await photo.Content.ReadAsByteArrayAsync();
        TestImages.SizeOf(stored).ShouldBe((800, 400));
        stored.Length.ShouldBeLessThan(large.Length);
    }

    private static ByteArrayContent Image(byte[] data, string contentType)
    {
        var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private async Task AddTypedCustomFieldsAsync(long organizationId)
    {
        await using var db = app.Database(organizationId);
        db.CustomFields.AddRange(
            new CustomFieldDefinition { Key = "shirt", Label = "Shirt", Type = CustomFieldType.Choice, Choices = ["S", "M"] },
            new CustomFieldDefinition { Key = "shoe", Label = "Shoe size", Type = CustomFieldType.Number },
            new CustomFieldDefinition { Key = "since", Label = "Member since", Type = CustomFieldType.Date },
            new CustomFieldDefinition { Key = "baptized", Label = "Baptized", Type = CustomFieldType.Boolean },
            new CustomFieldDefinition { Key = "notes", Label = "Notes", Type = CustomFieldType.Text });
        await db.SaveChangesAsync();
    }
}
