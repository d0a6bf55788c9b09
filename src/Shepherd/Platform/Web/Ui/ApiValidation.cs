using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;

namespace Shepherd.Platform.Web.Ui;

// The validation the minimal APIs run is marked experimental in .NET 10; it is the one way to get their exact messages.
#pragma warning disable ASP0029

/// <summary>
/// Runs the API's own request validation (the DataAnnotations of a request record, nested lists included, as the
/// minimal API validates its body) on a record a page built from its form, so the page refuses what the endpoint
/// refuses with the same words. Answers the errors keyed as the API's problem details are ("emails[0].address").
/// </summary>
public static class ApiValidation
{
    public static async Task<Dictionary<string, string[]>> ErrorsAsync<T>(T request, IServiceProvider services, CancellationToken ct) where T : class
    {
        var options = services.GetRequiredService<IOptions<ValidationOptions>>().Value;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!options.TryGetValidatableTypeInfo(typeof(T), out var info))
        {
            return errors;
        }
        var context = new ValidateContext
        {
            ValidationOptions = options,
            ValidationContext = new ValidationContext(request, services, items: null),
        };
        await info.ValidateAsync(request, context, ct);
        foreach (var (key, messages) in context.ValidationErrors ?? [])
        {
            errors[CamelCase(key)] = messages;
        }
        return errors;
    }

    /// <summary>"Emails[0].Address" → "emails[0].address", as <see cref="Api.ProblemDetailsSetup"/> names fields for clients.</summary>
    private static string CamelCase(string key) =>
        string.Join('.', key.Split('.').Select(part => part.Length == 0 ? part : char.ToLowerInvariant(part[0]) + part[1..]));
}
