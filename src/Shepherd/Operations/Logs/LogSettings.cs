namespace Shepherd.Operations.Logs;

/// <summary>The <c>Shepherd:Logs</c> settings: how long and how large Shepherd's own log files get.</summary>
public sealed class LogSettings
{
    public const string Section = "Shepherd:Logs";

    /// <summary>Log files older than this many days are deleted when the next file is opened (at startup and on every roll).</summary>
    public int RetentionDays { get; set; } = 90;

    /// <summary>A file rolls over to a new one (<c>shepherd-20260101_001.clef</c>) when it reaches this size, as well as every day.</summary>
    public long FileSizeLimitBytes { get; set; } = 100L * 1024 * 1024;

    public static LogSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<LogSettings>() ?? new LogSettings();
        if (settings.RetentionDays < 1)
        {
            throw new Shepherd.Data.SettingsException($"{Section}:RetentionDays must be at least 1 (it is {settings.RetentionDays}).");
        }
        if (settings.FileSizeLimitBytes < 1024)
        {
            throw new Shepherd.Data.SettingsException($"{Section}:FileSizeLimitBytes must be at least 1024 (it is {settings.FileSizeLimitBytes}).");
        }
        return settings;
    }
}
