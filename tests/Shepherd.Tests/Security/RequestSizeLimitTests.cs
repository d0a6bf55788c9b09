using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Shouldly;

namespace Shepherd.Tests.Security;

/// <summary>Shepherd:Security:MaxRequestBodySize: a larger body is refused with 413 problem details, never a 500.</summary>
[Collection(SecurityCollection.Name)]
public sealed class RequestSizeLimitTests(SecurityApp app)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_body_over_the_limit_gets_413_with_problem_details_and_one_at_the_limit_is_read()
    {
        using var api = await app.NewOrganizationAsync(cancellationToken: Cancel);
        using var tooLarge = new ByteArrayContent(new byte[SecurityApp.MaxBody + 1]);
        tooLarge.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var atLimit = new ByteArrayContent(new byte[SecurityApp.MaxBody]);
        atLimit.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var refused = await api.Http.PostAsync("/api/v1/campuses", tooLarge, Cancel);
        using var read = await api.Http.PostAsync("/api/v1/campuses", atLimit, Cancel);

        refused.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        refused.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Cancel))!.AsObject();
        problem["title"]!.GetValue<string>().ShouldBe("Request too large");
        problem["detail"]!.GetValue<string>().ShouldContain($"at most {SecurityApp.MaxBody} bytes");
        // NUL bytes are not JSON: the body was read and refused for what it is, not for its size.
        read.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
