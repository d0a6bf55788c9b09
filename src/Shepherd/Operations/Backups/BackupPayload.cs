namespace Shepherd.Operations.Backups;

/// <summary>A database copy written to a temporary file, with the row counts of exactly that copy.</summary>
public sealed record BackupPayload(string TempFile, string FileName, SortedDictionary<string, long> RowCounts);
