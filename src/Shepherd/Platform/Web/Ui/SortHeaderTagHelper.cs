using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Shepherd.Platform.Web.Ui;

/// <summary>
/// A sortable column: <c>&lt;th sort-key="name" sort-current="@Model.Sort"&gt;Name&lt;/th&gt;</c> links to the same list
/// sorted by the column (again to reverse it, "-name"), back on page 1, and tells screen readers the order (aria-sort).
/// </summary>
[HtmlTargetElement("th", Attributes = "sort-key")]
public sealed class SortHeaderTagHelper(HtmlEncoder encoder) : TagHelper
{
    [HtmlAttributeName("sort-key")]
    public string Key { get; set; } = "";

    /// <summary>The list's current sort ("name", "-name", or null for its default).</summary>
    [HtmlAttributeName("sort-current")]
    public string? Current { get; set; }

    /// <summary>The column the list is sorted by when the query names none.</summary>
    [HtmlAttributeName("sort-default")]
    public bool IsDefault { get; set; }

    [ViewContext, HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        var label = (await output.GetChildContentAsync()).GetContent();
        var ascending = Current == Key || (IsDefault && string.IsNullOrEmpty(Current));
        var descending = Current == "-" + Key;
        var href = ListLinks.With(ViewContext.HttpContext.Request, (ListLinks.SortKey, ascending ? "-" + Key : Key), (ListLinks.PageKey, null));
        output.Attributes.SetAttribute("scope", "col");
        if (ascending || descending)
        {
            output.Attributes.SetAttribute("aria-sort", ascending ? "ascending" : "descending");
        }
        var arrow = ascending ? " ▲" : descending ? " ▼" : "";
        output.Content.SetHtmlContent($"<a class=\"sort\" href=\"{encoder.Encode(href)}\">{label}<span aria-hidden=\"true\">{arrow}</span></a>");
    }
}
