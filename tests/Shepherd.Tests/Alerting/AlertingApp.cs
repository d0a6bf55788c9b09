using Shepherd.Tests.Accounts;
using Shepherd.Tests.Infrastructure;

namespace Shepherd.Tests.Alerting;

/// <summary>An app whose mail goes to an in-process SMTP sink.</summary>
public interface IMailSink
{
    SmtpTestServer Smtp { get; }
}

/// <summary>
/// Shepherd on SQLite with mail to a <see cref="SmtpTestServer"/> and without the built-in evaluator, so the only
/// dispatcher delivering queued notifications is the one a test drives (with its own clock).
/// </summary>
public sealed class AlertingSqliteApp : MailApp, IMailSink
{
    public AlertingSqliteApp() => Settings["Shepherd:Alerting:Enabled"] = "false";
}

/// <summary>The same on PostgreSQL.</summary>
public sealed class AlertingPostgresApp : PostgresApp, IMailSink
{
    public SmtpTestServer Smtp { get; private set; } = null!;

    public AlertingPostgresApp() => Settings["Shepherd:Alerting:Enabled"] = "false";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Smtp = await SmtpTestServer.StartAsync();
        foreach (var (key, value) in Smtp.ShepherdSettings)
        {
            Settings[key] = value;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
