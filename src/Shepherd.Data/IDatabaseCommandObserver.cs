namespace Shepherd.Data;

/// <summary>Told about every database command this process ran (the monitoring API's per-query statistics listen here).</summary>
public interface IDatabaseCommandObserver
{
    void Executed(string commandText, TimeSpan duration, bool failed);
}
