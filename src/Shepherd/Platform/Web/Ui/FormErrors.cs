using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Shepherd.Platform.Web.Ui;

/// <summary>
/// Puts the checks the API uses (field name → messages, camelCase paths such as "emails[0].address") on a form's model
/// state, so a page and its endpoint refuse the same input with the same words, next to the field it concerns.
/// </summary>
public static class FormErrors
{
    /// <summary>Adds each error under "<paramref name="prefix"/>.<i>Field</i>" ("Input.Emails[0].Address").</summary>
    public static void AddErrors(this ModelStateDictionary modelState, IDictionary<string, string[]> errors, string prefix = "Input")
    {
        foreach (var (field, messages) in errors)
        {
            var key = string.IsNullOrEmpty(field) ? "" : prefix + "." + PropertyPath(field);
            foreach (var message in messages)
            {
                modelState.AddModelError(key, message);
            }
        }
    }

    /// <summary>"emails[0].address" → "Emails[0].Address".</summary>
    public static string PropertyPath(string field) =>
        string.Join('.', field.Split('.').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));
}
