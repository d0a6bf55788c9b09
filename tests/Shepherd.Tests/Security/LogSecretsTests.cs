using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Shepherd.Platform.Accounts;
using Shepherd.Tests.Cli;
using Shouldly;

namespace Shepherd.Tests.Security;

/// <summary>
/// No secret is ever written to the logs: a real `shepherd serve` gets tokens in headers, query strings and the sign-in
/// form, wrong ones too, and hits its rate limits; then every log file and its standard output are searched for each
/// secret. Password sign-in adds its own requests and secrets to <see cref="MakeRequestsAsync"/>.
/// </summary>
public sealed partial class LogSecretsTests : IAsyncDisposable
{
    private const string Password = "correct horse battery staple 7f3a";
    private static readonly TimeSpan LoggedWithin = TimeSpan.FromSeconds(30);

    private readonly SqliteCliDatabase _db = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tokens_their_hashes_and_passwords_never_reach_the_log_files_or_standard_output()
    {
        _db.Settings["Shepherd:Security:RateLimits:SignIn:PermitLimit"] = "4";
        _db.Settings["Shepherd:Security:RateLimits:Api:PermitLimit"] = "3";
        (await _db.RunAsync("migrate", "up")).ExitCode.ShouldBe(0);
        var admin = await _db.RunAsync("admin", "create", "--email", "pastor@grace.example", "--password", Password, "--organization", "Grace Church");
        admin.ExitCode.ShouldBe(0, admin.ToString());
        var apiToken = await TokenAsync("api", ApiScopes.Read);
        var monitoringToken = await TokenAsync("browser", ApiScopes.Monitoring);
        var secrets = new Dictionary<string, string>
        {
            ["API token"] = apiToken,
            ["API token hash"] = TokenHasher.Hash(apiToken),
            ["monitoring token"] = monitoringToken,
            ["monitoring token hash"] = TokenHasher.Hash(monitoringToken),
            ["made-up token"] = TokenHasher.NewToken(),
            ["token in a query string"] = "secret" + Guid.NewGuid().ToString("N"),
            ["password"] = Password,
            ["wrong password"] = "wrong horse battery staple " + Guid.NewGuid().ToString("N")[..8],
        };

        await using var serve = await ServeProcess.StartAsync(_db.Environment, Cancel);
        await MakeRequestsAsync(serve, secrets);
        // CLEF: the template and its properties. The API partition is the token hash's first 8 hex digits only.
        var logs = await WaitForLogsAsync(serve, "Rate limit {Policy} hit by {Partition}", "\"Partition\":\"127.0.0.1\"",
            "\"Partition\":\"token:" + TokenHasher.Hash(apiToken)[..8] + "\"");

        foreach (var (name, secret) in secrets)
        {
            logs.ShouldNotContain(secret, Case.Insensitive, $"the {name} is in the log files");
            serve.Output.ShouldNotContain(secret, Case.Insensitive, $"the {name} is on standard output");
        }
        // The search looked at the right text: every request was logged (without its query string).
        RequestLines().Count(logs).ShouldBeGreaterThanOrEqualTo(10);
    }

    private static async Task MakeRequestsAsync(ServeProcess serve, Dictionary<string, string> secrets)
    {
        using var api = serve.CreateClient(secrets["API token"]);
        for (var request = 0; request < 4; request++)
        {
            using var campuses = await api.GetAsync("api/v1/campuses", Cancel);
            campuses.StatusCode.ShouldBe(request < 3 ? HttpStatusCode.OK : HttpStatusCode.TooManyRequests);
        }
        using var anonymous = serve.CreateClient();
        using (var query = await anonymous.GetAsync($"api/v1/people?token={secrets["token in a query string"]}&access_token={secrets["API token"]}", Cancel))
        {
            query.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        using (var madeUp = new HttpRequestMessage(HttpMethod.Get, "api/v1/people"))
        {
            madeUp.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secrets["made-up token"]);
            using var refused = await anonymous.SendAsync(madeUp, Cancel);
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = serve.Address,
            Timeout = TimeSpan.FromSeconds(30),
        };
        // A wrong and the right password in the password form, a password typed into the token field, then the right
        // token, then one attempt too many.
        (await PostFormAsync(browser, new() { ["Email"] = "pastor@grace.example", ["Password"] = secrets["wrong password"] })).ShouldBe(HttpStatusCode.OK);
        (await PostFormAsync(browser, new() { ["Email"] = "pastor@grace.example", ["Password"] = secrets["password"] })).ShouldBe(HttpStatusCode.Redirect);
        (await PostSignInAsync(browser, secrets["password"])).ShouldBe(HttpStatusCode.OK);
        (await PostSignInAsync(browser, secrets["monitoring token"])).ShouldBe(HttpStatusCode.Redirect);
        (await PostSignInAsync(browser, secrets["API token"])).ShouldBe(HttpStatusCode.TooManyRequests);
        using var page = await browser.GetAsync("operations", Cancel);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static Task<HttpStatusCode> PostSignInAsync(HttpClient browser, string token) => PostFormAsync(browser, new() { ["Token"] = token });

    private static async Task<HttpStatusCode> PostFormAsync(HttpClient browser, Dictionary<string, string> fields)
    {
        var form = await browser.GetStringAsync("signin", Cancel);
        using var response = await browser.PostAsync("signin", Web.WebForms.Form(form, fields), Cancel);
        return response.StatusCode;
    }

    /// <summary>All log files' text once each expected line is there (the logs are written by a background writer).</summary>
    private async Task<string> WaitForLogsAsync(ServeProcess serve, params string[] expected)
    {
        var folder = Path.Combine(_db.Settings["Shepherd:DataFolder"]!, "logs");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        deadline.CancelAfter(LoggedWithin);
        while (true)
        {
            var text = new StringBuilder();
            foreach (var file in Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [])
            {
                // The server still has the file open for writing.
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                text.Append(await reader.ReadToEndAsync(Cancel)).Append('\n');
            }
            var logs = text.ToString();
            if (expected.All(e => logs.Contains(e, StringComparison.Ordinal) && serve.Output.Contains(e, StringComparison.Ordinal)))
            {
                return logs;
            }
            if (deadline.IsCancellationRequested)
            {
                throw new ShouldAssertException($"The logs in {folder} never showed {string.Join(" and ", expected)}:\n{logs}\n--- stdout ---\n{serve.Output}");
            }
            await Task.Delay(100, CancellationToken.None);
        }
    }

    private async Task<string> TokenAsync(string name, string scope)
    {
        var token = await _db.RunAsync("admin", "token", "--email", "pastor@grace.example", "--name", name, "--scope", scope);
        token.ExitCode.ShouldBe(0, token.ToString());
        return token.Stdout.Trim();
    }

    public async ValueTask DisposeAsync() => await _db.DisposeAsync();

    [GeneratedRegex("\"RequestMethod\":\"")]
    private static partial Regex RequestLines();
}
