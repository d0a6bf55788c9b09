using Microsoft.Playwright;
using Shepherd.Data.Badges;
using Shepherd.E2E.Infrastructure;
using Shouldly;

namespace Shepherd.E2E;

/// <summary>
/// A staff member's first Sunday with people and families: a household of two adults and two children entered in one
/// form, found again with the header's search, a child's profile, a note and a badge. Every page is checked with axe and
/// for console errors and Content-Security-Policy violations.
/// </summary>
public sealed class PeopleTests(Chromium chromium, ChurchServer server) : BrowserTest(chromium, server), IClassFixture<ChurchServer>
{
    private readonly ChurchServer _church = server;

    [Fact]
    public async Task A_family_with_two_children_is_created_found_with_the_search_and_a_child_gets_a_note_and_a_badge()
    {
        await _church.SeedAsync(_church.OrganizationId, db =>
        {
            db.BadgeTypes.Add(new BadgeType { Name = "Kids club", Color = "#3366cc" });
            return Task.CompletedTask;
        });
        var staff = await _church.NewMemberAsync("staff");
        var browser = await SignedInAsync(staff);
        var page = browser.Page;

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Families" }).ClickAsync();
        await browser.ShouldBeAtAsync("/families");
        await browser.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Add a family" }).First.ClickAsync();
        await browser.ShouldBeAtAsync("/families/new");
        await browser.AssertAccessibleAsync();

        await page.Locator("[name='Members[0].FirstName']").FillAsync("Erik");
        await page.Locator("[name='Members[0].LastName']").FillAsync("Holmqvist");
        await page.Locator("[name='Members[1].FirstName']").FillAsync("Sara");
        await page.Locator("[name='Members[2].FirstName']").FillAsync("Ella");
        await page.Locator("[name='Members[2].BirthDate']").FillAsync("2018-04-05");
        await page.Locator("[name='Members[2].MedicalNote']").FillAsync("Nut allergy");
        await page.Locator("[name='Members[3].FirstName']").FillAsync("Liam");
        await page.Locator("[name='Members[3].BirthDate']").FillAsync("2020-09-10");
        await browser.SubmitAsync("Add family");

        await page.GetByRole(AriaRole.Heading, new() { Name = "Holmqvist family", Level = 1 }).WaitForAsync();
        browser.Path.ShouldStartWith("/families/");
        (await page.Locator("#flash").InnerTextAsync()).ShouldBe("Added Holmqvist family with 4 members.");
        (await page.Locator("#family-summary").InnerTextAsync()).ShouldStartWith("2 adults, 2 children");
        await browser.AssertAccessibleAsync();
        await browser.AssertNoProblemsAsync();

        // The header's search suggests the child as the name is typed.
        var search = page.GetByRole(AriaRole.Combobox, new() { Name = "Search people, families and groups" });
        await search.FillAsync("Ella Holm");
        var suggestion = page.Locator("#global-search-results").GetByRole(AriaRole.Link).Filter(new() { HasText = "Ella Holmqvist" });
        await suggestion.ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Ella Holmqvist", Level = 1 }).WaitForAsync();
        browser.Path.ShouldStartWith("/people/");
        (await page.Locator("#medical-note").InnerTextAsync()).ShouldContain("Nut allergy");
        (await page.Locator("#families").InnerTextAsync()).ShouldContain("Holmqvist family");
        await browser.AssertAccessibleAsync();

        var notes = page.Locator("#note-form");
        await notes.GetByLabel("Note").FillAsync("First Sunday in kids church; loved the songs.");
        await notes.GetByLabel("Who may read it").SelectOptionAsync(new SelectOptionValue { Label = "Staff" });
        await browser.SubmitAsync(notes.GetByRole(AriaRole.Button, new() { Name = "Add note" }));
        (await page.Locator("#flash").InnerTextAsync()).ShouldBe("Note added.");
        (await page.Locator("#note-list").InnerTextAsync()).ShouldContain("First Sunday in kids church");

        var award = page.Locator("#award-form");
        await award.GetByLabel("Badge").SelectOptionAsync(new SelectOptionValue { Label = "Kids club" });
        await browser.SubmitAsync(award.GetByRole(AriaRole.Button, new() { Name = "Award badge" }));
        (await page.Locator("#flash").InnerTextAsync()).ShouldBe("Awarded Kids club.");
        (await page.Locator("#badge-list").InnerTextAsync()).ShouldContain("Kids club");
        await browser.AssertAccessibleAsync();
        await browser.AssertNoProblemsAsync();

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "People" }).ClickAsync();
        await browser.ShouldBeAtAsync("/people");
        (await page.Locator("#people").InnerTextAsync()).ShouldContain("Holmqvist");
        await browser.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Add a person" }).ClickAsync();
        await browser.ShouldBeAtAsync("/people/new");
        await browser.AssertAccessibleAsync();
        await browser.AssertNoProblemsAsync();
    }
}
