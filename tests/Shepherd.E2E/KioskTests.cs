using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Shepherd.E2E.Infrastructure;
using Shouldly;

namespace Shepherd.E2E;

/// <summary>
/// The child check-in kiosk as a volunteer uses it on Sunday morning: set up the rooms, find a family, check children in,
/// labels printed (window.print is counted, not shown), check-out with the pickup code; while the server is unreachable;
/// with the keyboard alone. axe runs on every screen.
/// </summary>
public sealed class KioskTests(Chromium chromium, KioskServer server) : BrowserTest(chromium, server), IClassFixture<KioskServer>
{
    private static readonly TimeSpan SyncWait = TimeSpan.FromSeconds(20);
    private readonly KioskServer _church = server;

    [Fact]
    public async Task A_family_with_two_children_is_checked_in_gets_matching_labels_and_goes_home_only_with_the_right_code()
    {
        var family = await _church.NewFamilyAsync("Kit", "Ada");
        var kiosk = await KioskAsync(family);

        await SearchAsync(kiosk, family.Name[..8]);
        await kiosk.AssertAccessibleAsync();
        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = family.Name }).ClickAsync();
        await Expect(kiosk.Page.GetByRole(AriaRole.Heading, new() { Name = family.Name, Level = 1 })).ToBeVisibleAsync();
        var kit = Person(kiosk, "Kit");
        (await kit.InnerTextAsync()).ShouldContain("Age 6");
        (await kit.InnerTextAsync()).ShouldContain("Allergy / medical: Peanut allergy");
        (await Person(kiosk, "Ada").GetAttributeAsync("aria-pressed")).ShouldBe("false", "with two children, nobody is chosen for the volunteer");
        await kiosk.AssertAccessibleAsync();
        await AssertTouchTargetsAsync(kiosk);

        await kit.ClickAsync();
        await Person(kiosk, "Ada").ClickAsync();
        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = "Check in & print" }).ClickAsync();

        await Expect(kiosk.Page.Locator("#done-summary")).ToContainTextAsync("Security code");
        var summary = await kiosk.Page.Locator("#done-summary").InnerTextAsync();
        summary.ShouldContain($"Kit {family.Children[0].LastName} ({family.RoomName} ");
        var code = await kiosk.Page.Locator(".pickup-label .label-code").InnerTextAsync();
        code.ShouldMatch("^[ACDEFGHJKLMNPQRTUVWXY3479]{4}$");
        summary.ShouldContain($"Security code {code}.");
        await AssertLabelsAsync(kiosk.Page.Locator("#kiosk-labels"), family, code, "Kit", "Ada");
        (await PrintsAsync(kiosk)).ShouldBe(1, "the labels went to the printer at once");
        await kiosk.AssertAccessibleAsync();
        // On paper: the labels alone, one per 4 × 2-inch page (288 × 144 points) for the label printer.
        await kiosk.Page.EmulateMediaAsync(new() { Media = Media.Print });
        (await kiosk.Page.Locator("#kiosk-done").IsVisibleAsync()).ShouldBeFalse();
        (await kiosk.Page.Locator("header.site").IsVisibleAsync()).ShouldBeFalse();
        (await kiosk.Page.Locator("#kiosk-labels .print-label").First.IsVisibleAsync()).ShouldBeTrue();
        PageSizes(await kiosk.Page.PdfAsync(new() { PreferCSSPageSize = true })).ShouldBe(["288x144", "288x144", "288x144"]);
        await kiosk.Page.EmulateMediaAsync(new() { Media = Media.Screen });
        await Expect(Connection(kiosk)).ToHaveTextAsync("Online — every check-in is saved", new() { Timeout = 20_000 });

        var recorded = await _church.AttendanceAsync(family.ServiceId);
        recorded.Select(r => r!["firstName"]!.GetValue<string>()).Order().ShouldBe(["Ada", "Kit"]);
        recorded.ShouldAllBe(r => r!["securityCode"]!.GetValue<string>() == code && r["method"]!.GetValue<string>() == "kiosk");

        // The reprint page holds the same labels.
        await kiosk.GoToAsync($"/checkin/labels?code={code}");
        await AssertLabelsAsync(kiosk.Page.Locator("#labels"), family, code, "Ada", "Kit");
        await kiosk.AssertAccessibleAsync();

        // Check-out: the parent without the label is found by name; a wrong code is refused, the right one accepted.
        await kiosk.Page.GetByRole(AriaRole.Link, new() { Name = "Check out", Exact = true }).ClickAsync();
        await kiosk.ShouldBeAtAsync("/checkin/checkout");
        await kiosk.Page.GetByRole(AriaRole.Textbox, new() { Name = "No label? Last 4 phone digits or the family name" }).FillAsync(family.Name[..8]);
        await kiosk.SubmitAsync("Find family");
        await kiosk.AssertAccessibleAsync();
        var form = kiosk.Page.Locator(".checkout-family");
        await form.GetByLabel("Security code from the pickup label").FillAsync(code == "AAAA" ? "CCCC" : "AAAA");
        await kiosk.SubmitAsync(form.GetByRole(AriaRole.Button, new() { Name = "Check out" }));
        (await kiosk.Page.Locator(".field-validation-error").InnerTextAsync()).ShouldBe("The security code does not match the one on the check-in label.");
        (await kiosk.AlertAsync()).ShouldContain("Nobody was checked out.");
        (await _church.AttendanceAsync(family.ServiceId)).ShouldAllBe(r => r!["checkedOutAt"] == null);
        await kiosk.AssertAccessibleAsync();

        await form.GetByLabel("Security code from the pickup label").FillAsync(code.ToLowerInvariant());
        await kiosk.SubmitAsync(form.GetByRole(AriaRole.Button, new() { Name = "Check out" }));
        (await kiosk.Page.Locator("#flash").InnerTextAsync()).ShouldBe($"Checked out Ada {family.Children[1].LastName} and Kit {family.Children[0].LastName}.");
        (await _church.AttendanceAsync(family.ServiceId)).ShouldAllBe(r => r!["checkedOutAt"] != null);

        await kiosk.Page.GetByRole(AriaRole.Link, new() { Name = "Rooms", Exact = true }).ClickAsync();
        (await kiosk.Page.Locator($"#rooms tr[data-service='{family.ServiceId}'] .present").InnerTextAsync()).ShouldBe("0");
        await kiosk.AssertAccessibleAsync();
        await kiosk.AssertNoProblemsAsync();
    }

    [Fact]
    public async Task One_child_of_a_family_of_two_is_checked_in_with_two_taps_and_an_only_child_with_one()
    {
        var two = await _church.NewFamilyAsync("Noa", "Eli");
        var only = await _church.NewFamilyAsync("Zoe");
        var kiosk = await KioskAsync(two);
        await SearchAsync(kiosk, two.PhoneDigits[^4..]);
        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = two.Name }).ClickAsync();

        await Person(kiosk, "Eli").ClickAsync();                                                      // tap 1
        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = "Check in & print" }).ClickAsync(); // tap 2

        await Expect(kiosk.Page.Locator("#done-summary")).ToContainTextAsync("Checked in Eli");
        (await kiosk.Page.Locator("#kiosk-labels .name-label").CountAsync()).ShouldBe(1);

        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = "Next family" }).ClickAsync();
        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = "Change rooms" }).ClickAsync();
        await ChooseRoomAsync(kiosk, only);
        await SearchAsync(kiosk, only.Name[..8]);
        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = only.Name }).ClickAsync();
        await Expect(Person(kiosk, "Zoe")).ToHaveAttributeAsync("aria-pressed", "true");

        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = "Check in & print" }).ClickAsync(); // tap 1

        await Expect(kiosk.Page.Locator("#done-summary")).ToContainTextAsync("Checked in Zoe");
        await Expect(Connection(kiosk)).ToHaveTextAsync("Online — every check-in is saved", new() { Timeout = 20_000 });
        (await _church.AttendanceAsync(two.ServiceId)).Select(r => r!["firstName"]!.GetValue<string>()).ShouldBe(["Eli"]);
        (await _church.AttendanceAsync(only.ServiceId)).Select(r => r!["firstName"]!.GetValue<string>()).ShouldBe(["Zoe"]);
        await kiosk.AssertNoProblemsAsync();
    }

    [Fact]
    public async Task While_the_server_is_unreachable_the_kiosk_queues_the_check_in_prints_the_labels_and_sends_it_once_when_back()
    {
        var family = await _church.NewFamilyAsync("Sam");
        var kiosk = await KioskAsync(family);
        await SearchAsync(kiosk, family.PhoneDigits[^5..]);
        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = family.Name }).ClickAsync();
        await Expect(kiosk.Page.GetByRole(AriaRole.Heading, new() { Name = family.Name, Level = 1 })).ToBeVisibleAsync();
        await kiosk.AssertNoProblemsAsync();

        // The server goes away: every request fails as on a dropped Wi-Fi.
        await kiosk.Page.RouteAsync("**/*", route => route.AbortAsync());
        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = "Check in & print" }).ClickAsync();

        await Expect(Connection(kiosk)).ToHaveTextAsync("Offline — 1 waiting", new() { Timeout = 20_000 });
        await Expect(kiosk.Page.Locator("#done-summary")).ToContainTextAsync("Security code");
        var code = await kiosk.Page.Locator(".pickup-label .label-code").InnerTextAsync();
        await AssertLabelsAsync(kiosk.Page.Locator("#kiosk-labels"), family, code, "Sam");
        (await PrintsAsync(kiosk)).ShouldBe(1, "the labels print from what the kiosk knows, without the server");
        await kiosk.AssertAccessibleAsync();
        (await _church.AttendanceAsync(family.ServiceId)).ShouldBeEmpty();

        // The next family's search still answers from the families this kiosk saw today.
        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = "Next family" }).ClickAsync();
        await SearchAsync(kiosk, family.Name[..8]);
        (await kiosk.Page.Locator("#search-message").InnerTextAsync()).ShouldContain("Offline");
        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = family.Name }).ClickAsync();
        await Expect(Person(kiosk, "Sam")).ToContainTextAsync("waiting to be sent");
        (await Person(kiosk, "Sam").IsDisabledAsync()).ShouldBeTrue("a queued child cannot be checked in twice");
        await kiosk.AssertAccessibleAsync();

        // The connection half comes back: the check-in reaches the server but its answer is lost on the way back.
        await kiosk.Page.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.IgnoreErrors });
        await kiosk.Page.RouteAsync(url => url.Contains("handler=checkin", StringComparison.Ordinal), async route =>
        {
            await route.FetchAsync();
            await route.AbortAsync();
        });
        await UntilAsync(async () => (await _church.AttendanceAsync(family.ServiceId)).Count == 1);
        (await Connection(kiosk).InnerTextAsync()).ShouldEndWith("1 waiting", customMessage: "without an answer the kiosk cannot know it landed");

        // Back for good: the retry carries the same client id, and the server answers with the check-in it already has.
        await kiosk.Page.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.IgnoreErrors });
        await Expect(Connection(kiosk)).ToHaveTextAsync("Online — every check-in is saved", new() { Timeout = 20_000 });
        var recorded = await _church.AttendanceAsync(family.ServiceId);
        recorded.Count.ShouldBe(1, "exactly one attendance row, however often the kiosk tried");
        recorded[0]!["firstName"]!.GetValue<string>().ShouldBe("Sam");
        recorded[0]!["securityCode"]!.GetValue<string>().ShouldBe(code, "the code printed offline is the one the server keeps");
        (await kiosk.Page.Locator("#kiosk-refused").IsHiddenAsync()).ShouldBeTrue();
        await AssertOnlyBlockedRequestsFailedAsync(kiosk);
    }

    [Fact]
    public async Task A_reload_while_the_server_is_unreachable_still_opens_the_kiosk_from_the_service_worker()
    {
        var family = await _church.NewFamilyAsync("Lia");
        var kiosk = await KioskAsync(family);
        await kiosk.Page.EvaluateAsync("async () => { await navigator.serviceWorker.ready; }");
        // Once the worker controls the page it has kept the kiosk and its scripts (on this load or the next).
        await kiosk.Page.ReloadAsync();
        await UntilAsync(async () => await kiosk.Page.EvaluateAsync<bool>("() => navigator.serviceWorker.controller !== null"));
        await kiosk.Page.ReloadAsync();
        await Expect(kiosk.Page.GetByRole(AriaRole.Heading, new() { Name = "Check in", Level = 1 })).ToBeVisibleAsync();

        await kiosk.Context.SetOfflineAsync(true);
        var reloaded = await kiosk.Page.ReloadAsync();

        reloaded.ShouldNotBeNull().FromServiceWorker.ShouldBeTrue("the worker answered the reload");
        await Expect(kiosk.Page.GetByRole(AriaRole.Heading, new() { Name = "Check in", Level = 1 })).ToBeVisibleAsync();
        (await kiosk.Page.Locator("#kiosk-rooms").InnerTextAsync()).ShouldContain(family.RoomName, customMessage: "the rooms are remembered on the device");
        await Expect(Connection(kiosk)).ToHaveTextAsync("Offline — nothing waiting", new() { Timeout = 20_000 });
        await kiosk.Context.SetOfflineAsync(false);
    }

    [Fact]
    public async Task A_volunteer_checks_a_child_in_with_the_keyboard_alone()
    {
        var family = await _church.NewFamilyAsync("Ivy", "Max");
        var volunteer = await _church.NewVolunteerAsync();
        var kiosk = await SignedInAsync(volunteer);
        await StubPrintAsync(kiosk);
        await kiosk.GoToAsync("/checkin");
        var keys = kiosk.Page.Keyboard;

        // Setup: the campus select, the room's checkbox, the start button.
        await TabToAsync(kiosk, "#setup-campus");
        await keys.TypeAsync(family.CampusName);
        (await kiosk.Page.Locator("#setup-campus option:checked").InnerTextAsync()).ShouldBe(family.CampusName);
        await TabToAsync(kiosk, $"input[name=service][value='{family.ServiceId}']");
        await keys.PressAsync("Space");
        await TabToAsync(kiosk, "#setup-form button[type=submit]");
        await keys.PressAsync("Enter");

        // The search box has the focus: type the digits, Enter; Tab to the family, Enter.
        await Expect(kiosk.Page.Locator("#search-input")).ToBeFocusedAsync();
        await keys.TypeAsync(family.PhoneDigits[^4..]);
        await keys.PressAsync("Enter");
        await TabToAsync(kiosk, $"#search-results button:has-text('{family.Name}')");
        await keys.PressAsync("Enter");
        await Expect(kiosk.Page.Locator("#family-name")).ToBeFocusedAsync();

        // Tab to Max, Space; Tab to "Check in & print", Enter.
        await TabToAsync(kiosk, "button.person-button:has-text('Max')");
        await keys.PressAsync("Space");
        (await Person(kiosk, "Max").GetAttributeAsync("aria-pressed")).ShouldBe("true");
        await TabToAsync(kiosk, "#checkin-button");
        await keys.PressAsync("Enter");

        await Expect(kiosk.Page.Locator("#done-summary")).ToContainTextAsync("Checked in Max");
        await Expect(kiosk.Page.Locator("#next-family")).ToBeFocusedAsync();
        await Expect(Connection(kiosk)).ToHaveTextAsync("Online — every check-in is saved", new() { Timeout = 20_000 });
        (await _church.AttendanceAsync(family.ServiceId)).Select(r => r!["firstName"]!.GetValue<string>()).ShouldBe(["Max"]);

        // Enter on "Next family" starts over with the focus in the search box.
        await keys.PressAsync("Enter");
        await Expect(kiosk.Page.Locator("#search-input")).ToBeFocusedAsync();
        (await kiosk.Page.Locator("#search-results li").CountAsync()).ShouldBe(0);
        await kiosk.AssertAccessibleAsync();
        await kiosk.AssertNoProblemsAsync();
    }

    [Fact]
    public async Task The_kiosks_choice_of_rooms_is_remembered_on_the_device_and_a_room_must_be_chosen()
    {
        var family = await _church.NewFamilyAsync("Ben");
        var volunteer = await _church.NewVolunteerAsync();
        var kiosk = await SignedInAsync(volunteer);
        await kiosk.GoToAsync("/checkin");
        await kiosk.AssertAccessibleAsync();

        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = "Start checking in" }).ClickAsync();
        (await kiosk.Page.Locator("#setup-error").InnerTextAsync()).ShouldBe("Choose at least one room.");

        await ChooseRoomAsync(kiosk, family);
        await kiosk.Page.ReloadAsync();

        await Expect(kiosk.Page.Locator("#kiosk-rooms")).ToContainTextAsync(family.RoomName);
        await Expect(kiosk.Page.Locator("#kiosk-counts")).ToContainTextAsync(new System.Text.RegularExpressions.Regex($"{family.RoomName} [0-9:]+: 0 in the room"));
        await kiosk.AssertAccessibleAsync();
        await kiosk.AssertNoProblemsAsync();
    }

    /// <summary>A volunteer signed in at /checkin with <paramref name="family"/>'s room chosen, printing counted.</summary>
    private async Task<BrowserPage> KioskAsync(KioskFamily family)
    {
        var volunteer = await _church.NewVolunteerAsync();
        var kiosk = await SignedInAsync(volunteer);
        await StubPrintAsync(kiosk);
        await kiosk.GoToAsync("/checkin");
        await ChooseRoomAsync(kiosk, family);
        return kiosk;
    }

    private static async Task ChooseRoomAsync(BrowserPage kiosk, KioskFamily family)
    {
        await Expect(kiosk.Page.GetByRole(AriaRole.Heading, new() { Name = "Set up this kiosk" })).ToBeVisibleAsync();
        await kiosk.Page.GetByLabel("Campus", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = family.CampusName });
        await kiosk.Page.GetByRole(AriaRole.Checkbox, new() { Name = family.RoomName }).CheckAsync();
        await kiosk.AssertAccessibleAsync();
        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = "Start checking in" }).ClickAsync();
        await Expect(kiosk.Page.Locator("#kiosk-rooms")).ToContainTextAsync(family.RoomName);
    }

    private static async Task SearchAsync(BrowserPage kiosk, string term)
    {
        await kiosk.Page.GetByRole(AriaRole.Searchbox, new() { Name = "Last 4 digits of a phone number, or the family name" }).FillAsync(term);
        await kiosk.Page.GetByRole(AriaRole.Button, new() { Name = "Find family" }).ClickAsync();
        await Expect(kiosk.Page.Locator("#search-message")).ToContainTextAsync("found");
    }

    /// <summary>The person's big button on the family screen.</summary>
    private static ILocator Person(BrowserPage kiosk, string firstName) =>
        kiosk.Page.Locator("button.person-button").Filter(new() { Has = kiosk.Page.Locator(".person-name", new() { HasTextString = firstName + " " }) });

    private static ILocator Connection(BrowserPage kiosk) => kiosk.Page.Locator("#kiosk-connection");

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    /// <summary>Name labels in order, each with the code, names, room and date; the pickup label with the code and every child.</summary>
    private static async Task AssertLabelsAsync(ILocator labels, KioskFamily family, string code, params string[] firstNames)
    {
        var names = labels.Locator(".name-label");
        (await names.Locator(".label-first").AllInnerTextsAsync()).ShouldBe(firstNames);
        (await names.Locator(".label-last").AllInnerTextsAsync()).ShouldAllBe(n => n == family.Children[0].LastName);
        (await names.Locator(".label-code").AllInnerTextsAsync()).ShouldAllBe(c => c == code);
        (await names.Locator(".label-room").AllInnerTextsAsync()).ShouldAllBe(r => r.StartsWith(family.RoomName + " ", StringComparison.Ordinal) && r.Contains(" · ", StringComparison.Ordinal));
        var noted = family.Children.Where(c => c.MedicalNote is not null && firstNames.Contains(c.FirstName)).ToList();
        (await names.Locator(".label-alert").AllInnerTextsAsync()).ShouldBe([.. noted.Select(c => $"Allergy / medical: {c.MedicalNote}")]);
        var pickup = labels.Locator(".pickup-label");
        (await pickup.CountAsync()).ShouldBe(1);
        (await pickup.Locator(".label-code").InnerTextAsync()).ShouldBe(code);
        var children = await pickup.Locator(".label-children li").AllInnerTextsAsync();
        children.Select(c => c.Split(" · ")[0]).ShouldBe([.. firstNames.Select(f => $"{f} {family.Children[0].LastName}")]);
        children.ShouldAllBe(c => c.Contains($" · {family.RoomName} ", StringComparison.Ordinal));
    }

    /// <summary>Every button, tab and list the volunteer can touch on the screen now is at least 44 px high.</summary>
    private static async Task AssertTouchTargetsAsync(BrowserPage kiosk)
    {
        var targets = kiosk.Page.Locator("main button:visible, main .kiosk-tabs a, main select:visible");
        var count = await targets.CountAsync();
        count.ShouldBeGreaterThan(3);
        for (var i = 0; i < count; i++)
        {
            var box = (await targets.Nth(i).BoundingBoxAsync()).ShouldNotBeNull();
            box.Height.ShouldBeGreaterThanOrEqualTo(44, await targets.Nth(i).InnerTextAsync());
        }
    }

    /// <summary>Each page's size in points ("288x144"), read from the PDF's page boxes.</summary>
    private static List<string> PageSizes(byte[] pdf) =>
        [.. System.Text.RegularExpressions.Regex.Matches(System.Text.Encoding.Latin1.GetString(pdf), @"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]")
            .Select(m => $"{Math.Round(double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))}x{Math.Round(double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))}")];

    /// <summary>window.print counted instead of shown (a print dialog would stop a headless browser's page).</summary>
    private static Task StubPrintAsync(BrowserPage kiosk) =>
        kiosk.Context.AddInitScriptAsync("window.__prints = 0; window.print = () => { window.__prints += 1; };");

    private static Task<int> PrintsAsync(BrowserPage kiosk) => kiosk.Page.EvaluateAsync<int>("() => window.__prints");

    /// <summary>Presses Tab until the element <paramref name="selector"/> finds has the focus (as a keyboard user would).</summary>
    private static async Task TabToAsync(BrowserPage kiosk, string selector)
    {
        var target = kiosk.Page.Locator(selector).First;
        for (var presses = 0; presses < 40; presses++)
        {
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                return;
            }
            await kiosk.Page.Keyboard.PressAsync("Tab");
        }
        throw new ShouldAssertException($"Tab never reached {selector}.");
    }

    /// <summary>The failures a blocked server causes (aborted requests) and nothing else: no script error, no CSP violation.</summary>
    private static async Task AssertOnlyBlockedRequestsFailedAsync(BrowserPage kiosk)
    {
        await kiosk.FlushAsync();
        kiosk.Problems.Where(p => !p.Contains("net::ERR_FAILED", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = TimeProvider.System.GetUtcNow() + SyncWait;
        while (!await condition())
        {
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"Not within {SyncWait.TotalSeconds} s.");
            }
            // Polling interval (the kiosk retries every 3 s).
            await Task.Delay(100);
        }
    }
}
