using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;

namespace Shepherd.Tests.Infrastructure;

/// <summary>An HTTP client for one organization's token, with helpers that keep tests short.</summary>
public sealed class ApiClient(HttpClient http, long organizationId, string adminEmail, string token) : IDisposable
{
    public HttpClient Http { get; } = http;
    public long OrganizationId { get; } = organizationId;
    public string AdminEmail { get; } = adminEmail;
    public string Token { get; } = token;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<HttpResponseMessage> GetAsync(string url) => Http.GetAsync(url);

    public Task<HttpResponseMessage> PostAsync(string url, object body) => Http.PostAsJsonAsync(url, body, Json);

    public Task<HttpResponseMessage> PutAsync(string url, object body) => Http.PutAsJsonAsync(url, body, Json);

    public Task<HttpResponseMessage> DeleteAsync(string url) => Http.DeleteAsync(url);

    /// <summary>Sends a raw body (malformed JSON, wrong types) exactly as given.</summary>
    public Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string url, string body) =>
        Http.SendAsync(new HttpRequestMessage(method, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") });

    /// <summary>POSTs and returns the created resource as JSON, failing the test if it was not 201.</summary>
    public async Task<JsonObject> CreateAsync(string url, object body)
    {
        using var response = await PostAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    public async Task<JsonObject> GetJsonAsync(string url)
    {
        using var response = await GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    public void Dispose() => Http.Dispose();
}

public static class ResponseAssertions
{
    /// <summary>Asserts an RFC 9457 problem response with the status, and returns its JSON.</summary>
    public static async Task<JsonObject> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", text);
        var problem = JsonNode.Parse(text)!.AsObject();
        problem["status"]!.GetValue<int>().ShouldBe((int)status);
        problem["title"].ShouldNotBeNull();
        return problem;
    }

    /// <summary>Asserts a 400 whose field errors name <paramref name="field"/>.</summary>
    public static async Task<JsonObject> ShouldBeValidationProblemAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem["errors"]?.AsObject();
        errors.ShouldNotBeNull($"no field errors in {problem.ToJsonString()}");
        errors.Select(e => e.Key).ShouldContain(field, $"errors were {errors.ToJsonString()}");
        return problem;
    }
}
