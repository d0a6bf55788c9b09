using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data.Accounts;
using Shepherd.Tests.Infrastructure;
using Shepherd.Tests.Safety;
using Shouldly;

namespace Shepherd.Tests.Pages.CheckIn;

public sealed class CheckOutPageSqliteTests(PagesSqliteApp app) : CheckOutPageTests<PagesSqliteApp>(app);

public sealed class CheckOutPagePostgresTests(PagesPostgresApp app) : CheckOutPageTests<PagesPostgresApp>(app);

/// <summary>/checkin/checkout and /checkin/labels: children go home with the matching code or an authorized pickup, never otherwise.</summary>
public abstract class CheckOutPageTests<TApp>(TApp app) where TApp : ShepherdApp, IPageApp
{
    private const string Page = "/checkin/checkout";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Kit and Ada (code K7Q4) and Ned (code N3D4) checked in to today's kids room.</summary>
    private async Task<(PageSession Session, PageSession Volunteer, KioskWorld World)> StartAsync()
    {
        var session = await PageSession.StartAsync(app);
        var world = await KioskWorld.CreateAsync(app, session.Admin);
        foreach (var (child, code) in new[] { (world.Kit, "K7Q4"), (world.Ada, "K7Q4"), (world.Ned, "N3D4") })
        {
            await session.Admin.CreateAsync($"/api/v1/services/{world.KidsRoom}/attendance", new { personId = child, securityCode = code });
        }
        var volunteer = await session.AsAsync(app, OrganizationRole.CheckInVolunteer);
        return (session, volunteer, world);
    }

    private static string Key(long service, long person) => string.Create(CultureInfo.InvariantCulture, $"{service}:{person}");

    private async Task<(DateTimeOffset? Out, string? By)> StateAsync(PageSession session, long person)
    {
        await using var db = app.Database(session.OrganizationId);
        var record = await db.Attendance.SingleAsync(a => a.PersonId == person);
        return (record.CheckedOutAt, record.PickedUpBy);
    }

    [Fact]
    public async Task The_code_on_the_pickup_label_lists_the_children_it_releases_and_one_tap_checks_them_out()
    {
        var (session, volunteer, world) = await StartAsync();
        using (session)
        using (volunteer)
        {
            var found = await volunteer.PageAsync($"{Page}?code=k7q4");
            var boxes = found.QuerySelectorAll("#by-code input[name='Input.Selected']").Select(b => (b.GetAttribute("value"), b.HasAttribute("checked"))).ToList();
            boxes.ShouldBe([(Key(world.KidsRoom, world.Ada), true), (Key(world.KidsRoom, world.Kit), true)]);
            found.TextOf("#by-code").ShouldNotContain("Ned");

            var done = await volunteer.SubmitAsync($"{Page}?code=k7q4", new()
            {
                ["Code"] = "k7q4",
                ["Input.SecurityCode"] = "k7q4",
                ["Input.Selected"] = Key(world.KidsRoom, world.Kit),
            });

            done.TextOf("#flash").ShouldBe($"Checked out Kit {world.Surname}.");
            (await StateAsync(session, world.Kit)).Out.ShouldNotBeNull();
            (await StateAsync(session, world.Ada)).Out.ShouldBeNull("only the chosen child went home");
            (await StateAsync(session, world.Ned)).Out.ShouldBeNull();
            (await volunteer.PageAsync($"{Page}?code=K7Q4")).TextOf("#by-code").ShouldContain($"Kit {world.Surname} · Kids church");
        }
    }

    [Fact]
    public async Task A_wrong_code_is_refused_next_to_the_field_and_nobody_of_the_family_goes_home()
    {
        var (session, volunteer, world) = await StartAsync();
        using (session)
        using (volunteer)
        {
            var before = await Fingerprint.OfAsync(app, session.OrganizationId);
            var fields = new Dictionary<string, string>
            {
                ["Q"] = "4471",
                ["Input.FamilyId"] = world.LeeFamily.ToString(CultureInfo.InvariantCulture),
                ["Input.SecurityCode"] = "N3D4",
            };
            using var content = new FormUrlEncodedContent([.. fields,
                new("Input.Selected", Key(world.KidsRoom, world.Kit)), new("Input.Selected", Key(world.KidsRoom, world.Ada))]);

            using var refused = await PostAsync(volunteer, $"{Page}?q=4471", content);

            refused.StatusCode.ShouldBe(HttpStatusCode.OK);
            var page = Html.Parse(await refused.Content.ReadAsStringAsync(Cancel));
            page.FieldError("Input.SecurityCode").ShouldBe("The security code does not match the one on the check-in label.");
            page.TextOf(".validation-summary-errors").ShouldContain("Nobody was checked out.");
            page.QuerySelectorAll(".checkout-family").Length.ShouldBe(1);
            page.QuerySelector($"#checkout-family-{world.LeeFamily}").ShouldNotBeNull();
            (await Fingerprint.OfAsync(app, session.OrganizationId)).ShouldBe(before, "a wrong code changes nothing, for neither child");

            var accepted = await volunteer.SubmitAsync($"{Page}?q=4471", new(fields) { ["Input.SecurityCode"] = " k7q4 ", ["Input.Selected"] = Key(world.KidsRoom, world.Ada) });
            accepted.TextOf("#flash").ShouldBe($"Checked out Ada {world.Surname}.");
            (await StateAsync(session, world.Ada)).Out.ShouldNotBeNull();
        }
    }

    [Fact]
    public async Task An_authorized_pickup_of_the_family_takes_the_children_without_the_code_and_is_recorded()
    {
        var (session, volunteer, world) = await StartAsync();
        using (session)
        using (volunteer)
        {
            var family = await volunteer.PageAsync($"{Page}?q={world.Surname}");
            var pickups = family.QuerySelectorAll($"#checkout-family-{world.LeeFamily} input[name='Input.PickupId']").Select(r => r.GetAttribute("value")).ToList();
            pickups.ShouldBe(["", world.GrandmaRose.ToString(CultureInfo.InvariantCulture)]);

            using var content = new FormUrlEncodedContent([
                new("Q", world.Surname), new("Input.FamilyId", world.LeeFamily.ToString(CultureInfo.InvariantCulture)),
                new("Input.PickupId", world.GrandmaRose.ToString(CultureInfo.InvariantCulture)),
                new("Input.Selected", Key(world.KidsRoom, world.Kit)), new("Input.Selected", Key(world.KidsRoom, world.Ada))]);
            using var done = await PostAsync(volunteer, $"{Page}?q={world.Surname}", content);

            done.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            (await volunteer.PageAsync(done.Headers.Location!.ToString())).TextOf("#flash").ShouldBe($"Checked out Kit {world.Surname} and Ada {world.Surname}.");
            (await StateAsync(session, world.Kit)).By.ShouldBe("Grandma Rose");
            (await StateAsync(session, world.Ada)).By.ShouldBe("Grandma Rose");
        }
    }

    [Fact]
    public async Task Another_familys_pickup_is_refused_and_the_child_stays()
    {
        var (session, volunteer, world) = await StartAsync();
        using (session)
        using (volunteer)
        {
            var before = await Fingerprint.OfAsync(app, session.OrganizationId);

            using var refused = await volunteer.PostFormAsync($"{Page}?q={world.Surname}", new()
            {
                ["Q"] = world.Surname,
                ["Input.FamilyId"] = world.LeeFamily.ToString(CultureInfo.InvariantCulture),
                ["Input.PickupId"] = world.UncleNico.ToString(CultureInfo.InvariantCulture),
                ["Input.Selected"] = Key(world.KidsRoom, world.Kit),
            });

            refused.StatusCode.ShouldBe(HttpStatusCode.OK);
            var page = Html.Parse(await refused.Content.ReadAsStringAsync(Cancel));
            page.FieldError("Input.PickupId").ShouldBe($"That person is not on the pickup list of Kit {world.Surname}’s family.");
            (await Fingerprint.OfAsync(app, session.OrganizationId)).ShouldBe(before);
        }
    }

    [Theory]
    [InlineData("", "", "Input.Selected")]
    [InlineData("banana", "", "Input.Selected")]
    [InlineData("1:2:3", "", "Input.Selected")]
    [InlineData("-1:5", "", "Input.Selected")]
    [InlineData("KIDS:KIT", "not-a-number", "Input.PickupId")]
    [InlineData("KIDS:KIT", "", "Input.SecurityCode", "ABCDEFGHIJ")]
    public async Task Bad_check_out_input_shows_the_error_by_the_field_and_changes_nothing(string selected, string pickup, string field, string code = "")
    {
        var (session, volunteer, world) = await StartAsync();
        using (session)
        using (volunteer)
        {
            var before = await Fingerprint.OfAsync(app, session.OrganizationId);
            using var response = await volunteer.PostFormAsync($"{Page}?q={world.Surname}", new()
            {
                ["Q"] = world.Surname,
                ["Input.Selected"] = selected.Replace("KIDS", world.KidsRoom.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                    .Replace("KIT", world.Kit.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal),
                ["Input.PickupId"] = pickup,
                ["Input.SecurityCode"] = code,
            });

            var html = await response.Content.ReadAsStringAsync(Cancel);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, html);
            var page = Html.Parse(html);
            page.FieldError(field).ShouldNotBeNull(Html.ErrorsOf(html));
            (await Fingerprint.OfAsync(app, session.OrganizationId)).ShouldBe(before);
        }
    }

    [Fact]
    public async Task A_check_in_of_another_organization_is_not_found_and_stays_checked_in()
    {
        var (session, volunteer, _) = await StartAsync();
        using var other = await PageSession.StartAsync(app);
        var theirs = await KioskWorld.CreateAsync(app, other.Admin);
        await other.Admin.CreateAsync($"/api/v1/services/{theirs.KidsRoom}/attendance", new { personId = theirs.Kit, securityCode = "K7Q4" });
        using (session)
        using (volunteer)
        {
            (await volunteer.PageAsync($"{Page}?code=K7Q4")).TextOf("#by-code").ShouldNotContain(theirs.Surname);

            using var response = await volunteer.PostFormAsync(Page, new()
            {
                ["Code"] = "K7Q4",
                ["Input.SecurityCode"] = "K7Q4",
                ["Input.Selected"] = Key(theirs.KidsRoom, theirs.Kit),
            });

            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await StateAsync(other, theirs.Kit)).Out.ShouldBeNull();
        }
    }

    [Fact]
    public async Task An_unknown_or_malformed_code_and_a_search_too_short_say_what_to_do()
    {
        var (session, volunteer, _) = await StartAsync();
        using (session)
        using (volunteer)
        {
            (await volunteer.PageAsync($"{Page}?code=ZZZZ")).TextOf("#checkout-problem").ShouldStartWith("Nobody checked in today has the code ZZZZ.");
            (await volunteer.PageAsync($"{Page}?code=a-b")).TextOf("#checkout-problem").ShouldContain("3 to 8 letters or digits");
            (await volunteer.PageAsync($"{Page}?q=1")).TextOf("#checkout-problem").ShouldContain("last 4 or more digits");
            (await volunteer.PageAsync($"{Page}?q=zzzzqqqq")).TextOf("#checkout-problem").ShouldStartWith("No family found.");
        }
    }

    [Fact]
    public async Task The_labels_page_prints_a_name_label_per_child_and_the_pickup_label_with_the_same_code()
    {
        var (session, volunteer, world) = await StartAsync();
        using (session)
        using (volunteer)
        {
            var page = await volunteer.PageAsync("/checkin/labels?code=k7q4");

            var names = page.QuerySelectorAll(".name-label").ToList();
            names.Select(l => Html.Collapse(l.QuerySelector(".label-first")!.TextContent)).ShouldBe(["Ada", "Kit"]);
            names.ShouldAllBe(l => l.QuerySelector(".label-code")!.TextContent == "K7Q4");
            names.ShouldAllBe(l => l.QuerySelector(".label-last")!.TextContent == world.Surname);
            Html.Collapse(names[1].QuerySelector(".label-room")!.TextContent).ShouldStartWith("Kids church ");
            Html.Collapse(names[1].QuerySelector(".label-alert")!.TextContent).ShouldBe($"Allergy / medical: {KioskWorld.KitsNote}");
            names[0].QuerySelector(".label-alert").ShouldBeNull("Ada has no note");
            var pickup = page.QuerySelector(".pickup-label").ShouldNotBeNull();
            pickup.QuerySelector(".label-code")!.TextContent.ShouldBe("K7Q4");
            pickup.QuerySelectorAll(".label-children li").Select(li => Html.Collapse(li.TextContent).Split(" · ")[0]).ShouldBe([$"Ada {world.Surname}", $"Kit {world.Surname}"]);
            page.TextOf("body").ShouldNotContain("Ned");

            (await volunteer.PageAsync("/checkin/labels?code=QQQQ")).TextOf("#labels-problem").ShouldBe("No check-in today has the code QQQQ.");
            (await volunteer.PageAsync("/checkin/labels")).QuerySelector(".print-label").ShouldBeNull();
        }
    }

    private static async Task<HttpResponseMessage> PostAsync(PageSession session, string page, FormUrlEncodedContent content)
    {
        // The page's antiforgery token added to fields that repeat (several children), which a dictionary cannot hold.
        var html = await session.Browser.GetStringAsync(page, Cancel);
        var token = await Web.WebForms.Form(html, []).ReadAsStringAsync(Cancel);
        var body = await content.ReadAsStringAsync(Cancel) + "&" + token;
        using var request = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        return await session.Browser.PostAsync(page, request, Cancel);
    }
}
