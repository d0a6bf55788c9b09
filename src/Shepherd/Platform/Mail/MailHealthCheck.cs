using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Shepherd.Platform.Mail;

/// <summary>
/// "mail": Healthy with "not configured" when Shepherd:Mail:Host is empty (no mail is expected), Degraded when the
/// settings are incomplete or the SMTP server cannot be reached or does not answer NOOP: sign-in keeps working, but
/// invitations and password resets do not arrive.
/// </summary>
public sealed class MailHealthCheck(MailSender mail) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var options = mail.Options;
        var data = new Dictionary<string, object> { ["configured"] = options.IsConfigured };
        if (!options.IsConfigured)
        {
            return HealthCheckResult.Healthy("Mail is not configured: invitations and password resets are not sent (set Shepherd:Mail:Host).", data);
        }
        data["host"] = options.Host!;
        data["port"] = options.Port;
        data["security"] = options.Security.ToString();
        var result = await mail.CheckAsync(cancellationToken);
        return result.Sent
            ? HealthCheckResult.Healthy($"The mail server {options.Host}:{options.Port} answers.", data)
            : HealthCheckResult.Degraded(result.Problem + " Invitations and password resets are not arriving.", data: data);
    }
}
