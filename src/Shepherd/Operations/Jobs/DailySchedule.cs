using System.Globalization;
using Quartz;

namespace Shepherd.Operations.Jobs;

/// <summary>
/// When a nightly job runs: <c>Enabled</c>, <c>Time</c> (HH:mm) in <c>TimeZone</c> (an IANA id such as Europe/Berlin;
/// empty for the server's own zone). The settings classes of the backup and maintenance jobs inherit it.
/// </summary>
public abstract class DailySchedule
{
    public bool Enabled { get; set; } = true;

    /// <summary>The local time of day, HH:mm. A string, so a bad value gets our message rather than the binder's.</summary>
    public abstract string Time { get; set; }

    /// <summary>An IANA time zone id; empty means the server's local zone.</summary>
    public string? TimeZone { get; set; }

    /// <summary>Why the schedule cannot be used, one sentence per problem naming the setting; empty when it can.</summary>
    public IEnumerable<string> Problems(string section)
    {
        if (!TryParseTime(Time, out _))
        {
            yield return $"{section}:Time '{Time}' is not a time of day: use HH:mm on a 24-hour clock, e.g. 03:00.";
        }
        if (!TryFindZone(TimeZone, out _))
        {
            yield return $"{section}:TimeZone '{TimeZone}' is not a time zone this server knows: use an IANA id such as Europe/Berlin or America/Chicago, or leave it empty for the server's zone.";
        }
    }

    public TimeOnly TimeOfDay => TryParseTime(Time, out var time) ? time : throw new InvalidOperationException($"Invalid time {Time}.");

    public TimeZoneInfo Zone => TryFindZone(TimeZone, out var zone) ? zone : throw new InvalidOperationException($"Unknown time zone {TimeZone}.");

    /// <summary>A Quartz cron schedule firing once a day at <see cref="TimeOfDay"/> in <see cref="Zone"/> (daylight saving included).</summary>
    public CronScheduleBuilder CronSchedule() =>
        CronScheduleBuilder.Create(string.Create(CultureInfo.InvariantCulture, $"0 {TimeOfDay.Minute} {TimeOfDay.Hour} * * ?"))
            .InTimeZone(Zone)
            // A server that was down at the scheduled time runs the job once when it comes back, not once per missed night.
            .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed);

    public string Describe() => $"daily at {TimeOfDay:HH\\:mm} {Zone.Id}";

    private static bool TryParseTime(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text?.Trim(), ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    private static bool TryFindZone(string? id, out TimeZoneInfo zone)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            zone = TimeZoneInfo.Local;
            return true;
        }
        return TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out zone!);
    }
}
