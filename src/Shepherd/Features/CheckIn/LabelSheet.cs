namespace Shepherd.Features.CheckIn;

/// <summary>What one set of labels shows: the check-ins sharing a security code, and the day.</summary>
public sealed record LabelSheet(string Code, string DateText, IReadOnlyList<TodaysCheckIn> CheckIns);
