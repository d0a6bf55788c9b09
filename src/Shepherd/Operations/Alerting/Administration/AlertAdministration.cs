using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shepherd.Data;
using Shepherd.Data.Alerting;
using Shepherd.Data.Audit;

namespace Shepherd.Operations.Alerting.Administration;

/// <summary>
/// What administrators read and change about alerting — rules' thresholds and switches, incident history, silences and
/// maintenance windows — shared by the API and the pages, so both validate the same way. Every change is checked in full
/// before anything is written.
/// </summary>
public sealed partial class AlertAdministration(
    ShepherdDbContextFactory contexts,
    AlertRules rules,
    IOptions<AlertingOptions> options,
    TimeProvider clock,
    ILogger<AlertAdministration> logger)
{
    public const int MaxSilenceMinutes = 43200;
    public const int MaxWindowMinutes = 1440;
    public const int MaxWindowNameLength = 100;
    public const int MaxReasonLength = 500;
    public const int DefaultIncidentLimit = 50;
    public const int MaxIncidentLimit = 500;

    public async Task<AlertOverview> OverviewAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var now = clock.GetUtcNow();
        var current = await rules.CurrentAsync(db, cancellationToken);
        var open = await db.AlertIncidents.AsNoTracking().Where(i => i.Status != AlertStatus.Resolved).ToListAsync(cancellationToken);
        var silences = await db.AlertSilences.AsNoTracking().Where(s => s.EndsAt > now).OrderBy(s => s.EndsAt).ToListAsync(cancellationToken);
        var windows = await db.AlertMaintenanceWindows.AsNoTracking().OrderBy(w => w.Name).ThenBy(w => w.Id).ToListAsync(cancellationToken);
        return new AlertOverview(
            now,
            [.. current.Select(r => View(r, open.Where(i => i.RuleName == r.Rule.Name).OrderByDescending(i => i.Id).FirstOrDefault()))],
            [.. silences.Where(s => AlertSuppression.IsActive(s, now)).Select(s => SilenceView.Of(s, now))],
            [.. windows.Select(w => MaintenanceWindowView.Of(w, now))]);
    }

    public async Task<RuleView?> RuleAsync(string name, CancellationToken cancellationToken) =>
        (await OverviewAsync(cancellationToken)).Rules.FirstOrDefault(r => r.Name == name);

    /// <summary>Changes a rule's threshold (null: the catalogue's) and whether it is evaluated.</summary>
    public async Task<AdminOutcome<RuleView>> SetRuleAsync(string name, RuleSettingRequest request, string by, CancellationToken cancellationToken)
    {
        if (rules.Find(name) is not { } rule)
        {
            return AdminOutcome.Missing<RuleView>();
        }
        if (request.Threshold is { } value && AlertRules.ThresholdProblem(rule, value) is { } problem)
        {
            return AdminOutcome.Invalid<RuleView>("threshold", $"The threshold of {rule.Name} {problem}.");
        }
        await using (var db = contexts.Create(null, AuditActor.System))
        {
            var setting = await db.AlertRuleSettings.FirstOrDefaultAsync(s => s.RuleName == rule.Name, cancellationToken);
            if (setting is null)
            {
                setting = new AlertRuleSetting { RuleName = rule.Name, UpdatedBy = by };
                db.AlertRuleSettings.Add(setting);
            }
            setting.Threshold = request.Threshold;
            setting.Enabled = request.Enabled ?? setting.Enabled;
            setting.UpdatedAt = clock.GetUtcNow();
            setting.UpdatedBy = Limit(by, 300);
            await db.SaveChangesAsync(cancellationToken);
            LogRuleChanged(logger, rule.Name, setting.Threshold?.ToString(CultureInfo.InvariantCulture) ?? "the catalogue's", setting.Enabled, setting.UpdatedBy);
        }
        return new(await RuleAsync(rule.Name, cancellationToken));
    }

    /// <summary>Incidents newest first (by when they fired, or started pending).</summary>
    public async Task<IReadOnlyList<IncidentView>> IncidentsAsync(AlertStatus? status, string? rule, int limit, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var query = db.AlertIncidents.AsNoTracking();
        if (status is { } s)
        {
            query = query.Where(i => i.Status == s);
        }
        if (!string.IsNullOrEmpty(rule))
        {
            query = query.Where(i => i.RuleName == rule);
        }
        var incidents = await query.OrderByDescending(i => i.FiredAt ?? i.PendingSince).ThenByDescending(i => i.Id)
            .Take(Math.Clamp(limit, 1, MaxIncidentLimit)).ToListAsync(cancellationToken);
        return [.. incidents.Select(IncidentView.Of)];
    }

    public async Task<IncidentView?> IncidentAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var incident = await db.AlertIncidents.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        return incident is null ? null : IncidentView.Of(incident);
    }

    /// <summary>Silences, latest end first; <paramref name="active"/> true: only those muting now, false: only the others.</summary>
    public async Task<IReadOnlyList<SilenceView>> SilencesAsync(bool? active, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var now = clock.GetUtcNow();
        var all = await db.AlertSilences.AsNoTracking().OrderByDescending(s => s.EndsAt).ThenByDescending(s => s.Id).Take(MaxIncidentLimit)
            .ToListAsync(cancellationToken);
        return [.. all.Select(s => SilenceView.Of(s, now)).Where(s => active is null || s.Active == active)];
    }

    public async Task<AdminOutcome<SilenceView>> AddSilenceAsync(SilenceRequest request, string by, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        var label = request.Label?.Trim() ?? "";
        var value = request.Value?.Trim() ?? "";
        var reason = request.Reason?.Trim() ?? "";
        if (!AlertRules.SilenceLabels.Contains(label))
        {
            errors["label"] = [$"Choose the label to match: {string.Join(", ", AlertRules.SilenceLabels)}."];
        }
        else
        {
            var known = rules.Catalogue.Select(r => AlertRules.LabelsOf(r).GetValueOrDefault(label)).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
            if (!known.Contains(value))
            {
                errors["value"] = [$"No rule has {label} '{value}': use one of {string.Join(", ", known)}."];
            }
        }
        if (reason.Length is 0 or > MaxReasonLength)
        {
            errors["reason"] = [$"Say why the alerts are silenced, in 1 to {MaxReasonLength} characters (e.g. replacing the disk)."];
        }
        var startsAt = (request.StartsAt ?? now).ToUniversalTime();
        DateTimeOffset endsAt = default;
        if (request.DurationMinutes is not null && request.EndsAt is not null)
        {
            errors["endsAt"] = ["Give either durationMinutes or endsAt, not both."];
        }
        else if (request.DurationMinutes is { } minutes)
        {
            if (minutes is < 1 or > MaxSilenceMinutes)
            {
                errors["durationMinutes"] = [$"A silence lasts 1 to {MaxSilenceMinutes} minutes (30 days)."];
            }
            else
            {
                endsAt = startsAt.AddMinutes(minutes);
            }
        }
        else if (request.EndsAt is { } end)
        {
            endsAt = end.ToUniversalTime();
            if (endsAt <= startsAt || endsAt <= now || endsAt - startsAt > TimeSpan.FromMinutes(MaxSilenceMinutes))
            {
                errors["endsAt"] = ["The end must be in the future, after the start and at most 30 days after it."];
            }
        }
        else
        {
            errors["durationMinutes"] = [$"Say how long the silence lasts: durationMinutes (1 to {MaxSilenceMinutes}) or endsAt."];
        }
        if (startsAt > now.AddDays(365))
        {
            errors["startsAt"] = ["The start may be at most a year ahead."];
        }
        if (errors.Count > 0)
        {
            return AdminOutcome.Invalid<SilenceView>(errors);
        }
        await using var db = contexts.Create(null, AuditActor.System);
        var silence = new AlertSilence
        {
            Label = label,
            Value = value,
            Reason = reason,
            StartsAt = startsAt,
            EndsAt = endsAt,
            CreatedAt = now,
            CreatedBy = Limit(by, 300),
        };
        db.AlertSilences.Add(silence);
        await db.SaveChangesAsync(cancellationToken);
        LogSilenced(logger, silence.Id, label, value, silence.EndsAt, silence.CreatedBy, reason);
        return new(SilenceView.Of(silence, now));
    }

    /// <summary>Ends a silence now; the row stays as history. Ending one that has already ended changes nothing.</summary>
    public async Task<AdminOutcome<SilenceView>> EndSilenceAsync(long id, string by, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = contexts.Create(null, AuditActor.System);
        var silence = await db.AlertSilences.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (silence is null)
        {
            return AdminOutcome.Missing<SilenceView>();
        }
        if (silence.EndsAt > now)
        {
            silence.EndsAt = silence.StartsAt > now ? silence.StartsAt : now;
            await db.SaveChangesAsync(cancellationToken);
            LogSilenceEnded(logger, silence.Id, by);
        }
        return new(SilenceView.Of(silence, now));
    }

    public async Task<IReadOnlyList<MaintenanceWindowView>> WindowsAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var now = clock.GetUtcNow();
        var windows = await db.AlertMaintenanceWindows.AsNoTracking().OrderBy(w => w.Name).ThenBy(w => w.Id).ToListAsync(cancellationToken);
        return [.. windows.Select(w => MaintenanceWindowView.Of(w, now))];
    }

    /// <summary>Creates a maintenance window (<paramref name="id"/> null) or replaces one's settings.</summary>
    public async Task<AdminOutcome<MaintenanceWindowView>> SaveWindowAsync(long? id, MaintenanceWindowRequest request, string by, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxWindowNameLength)
        {
            errors["name"] = [$"Give the window a name of 1 to {MaxWindowNameLength} characters (e.g. Sunday upgrades)."];
        }
        var days = request.Days?.Trim() ?? "";
        if (AlertSuppression.DaysProblem(days) is { } daysProblem)
        {
            errors["days"] = [daysProblem];
        }
        if (!TimeOnly.TryParseExact(request.Start?.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            errors["start"] = ["Give the local start time as HH:mm (e.g. 02:00)."];
        }
        if (request.DurationMinutes is not (>= 1 and <= MaxWindowMinutes))
        {
            errors["durationMinutes"] = [$"A window lasts 1 to {MaxWindowMinutes} minutes (a day)."];
        }
        var zone = string.IsNullOrWhiteSpace(request.TimeZone) ? options.Value.TimeZone : request.TimeZone.Trim();
        if (zone.Length > 64 || AlertSuppression.FindZone(zone) is null)
        {
            errors["timeZone"] = [$"'{Limit(zone, 64)}' is not a known IANA time zone (e.g. America/Chicago or UTC)."];
        }
        var severities = request.Severities ?? "";
        if (AlertSuppression.SeveritiesProblem(severities) is { } severitiesProblem)
        {
            errors["severities"] = [severitiesProblem];
        }
        if (errors.Count > 0)
        {
            return AdminOutcome.Invalid<MaintenanceWindowView>(errors);
        }
        var now = clock.GetUtcNow();
        await using var db = contexts.Create(null, AuditActor.System);
        AlertMaintenanceWindow? window;
        if (id is { } existing)
        {
            window = await db.AlertMaintenanceWindows.FirstOrDefaultAsync(w => w.Id == existing, cancellationToken);
            if (window is null)
            {
                return AdminOutcome.Missing<MaintenanceWindowView>();
            }
        }
        else
        {
            window = new AlertMaintenanceWindow { Name = name, TimeZone = zone, Severities = "", CreatedAt = now, CreatedBy = Limit(by, 300) };
            db.AlertMaintenanceWindows.Add(window);
        }
        window.Name = name;
        window.Days = string.Join(',', AlertSuppression.DayNames.Where(d => Split(days).Contains(d, StringComparer.OrdinalIgnoreCase)));
        window.Start = start;
        window.DurationMinutes = request.DurationMinutes!.Value;
        window.TimeZone = zone;
        window.Severities = string.Join(',', AlertSuppression.ParseSeverities(severities).Order());
        window.Enabled = request.Enabled ?? window.Enabled;
        await db.SaveChangesAsync(cancellationToken);
        LogWindowSaved(logger, window.Id, window.Name, by);
        return new(MaintenanceWindowView.Of(window, now));
    }

    public async Task<bool> DeleteWindowAsync(long id, string by, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create(null, AuditActor.System);
        var window = await db.AlertMaintenanceWindows.FirstOrDefaultAsync(w => w.Id == id, cancellationToken);
        if (window is null)
        {
            return false;
        }
        db.AlertMaintenanceWindows.Remove(window);
        await db.SaveChangesAsync(cancellationToken);
        LogWindowDeleted(logger, id, window.Name, by);
        return true;
    }

    private static RuleView View(ActiveRule active, AlertIncident? open)
    {
        var rule = active.Rule;
        var state = open switch
        {
            null => AlertState.Inactive,
            { Status: AlertStatus.Pending } => AlertState.Pending,
            { SuppressedBy: not null } => AlertState.Silenced,
            _ => AlertState.Firing,
        };
        return new RuleView(
            rule.Name, rule.Severity, rule.Labels.GetValueOrDefault(AlertRuleCatalogue.AreaLabel), rule.Summary, rule.For.TotalSeconds,
            ThresholdView.Of(rule.Threshold), ThresholdView.Of(active.Default), active.Enabled, rule.Runbook, state,
            open is null ? null : IncidentView.Of(open));
    }

    private static string[] Split(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Limit(string text, int length) => text.Length > length ? text[..length] : text;

    [LoggerMessage(EventId = 7140, Level = LogLevel.Information, Message = "Alert rule {Rule} changed by {By}: threshold {Threshold}, enabled {Enabled}")]
    private static partial void LogRuleChanged(ILogger logger, string rule, string threshold, bool enabled, string by);

    [LoggerMessage(EventId = 7141, Level = LogLevel.Information, Message = "Silence {SilenceId} on {Label}={Value} until {EndsAt} by {By}: {Reason}")]
    private static partial void LogSilenced(ILogger logger, long silenceId, string label, string value, DateTimeOffset endsAt, string by, string reason);

    [LoggerMessage(EventId = 7142, Level = LogLevel.Information, Message = "Silence {SilenceId} ended by {By}")]
    private static partial void LogSilenceEnded(ILogger logger, long silenceId, string by);

    [LoggerMessage(EventId = 7143, Level = LogLevel.Information, Message = "Maintenance window {WindowId} ({Name}) saved by {By}")]
    private static partial void LogWindowSaved(ILogger logger, long windowId, string name, string by);

    [LoggerMessage(EventId = 7144, Level = LogLevel.Information, Message = "Maintenance window {WindowId} ({Name}) deleted by {By}")]
    private static partial void LogWindowDeleted(ILogger logger, long windowId, string name, string by);
}
