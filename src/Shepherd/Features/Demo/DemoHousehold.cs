using Shepherd.Data.Families;
using Shepherd.Data.People;

namespace Shepherd.Features.Demo;

/// <summary>
/// A generated family and how it attends church: families mostly come together, to the same service,
/// with a habit that may fade after some week (people drifting away) or be only a visit or two.
/// </summary>
public sealed class DemoHousehold
{
    public required Family Family { get; init; }
    public List<Person> Adults { get; } = [];
    public List<Person> Children { get; } = [];
    public IEnumerable<Person> People => Adults.Concat(Children);

    /// <summary>Chance of coming on a given Sunday while the habit holds.</summary>
    public double AttendProbability { get; set; }
    /// <summary>The first week (0 = oldest) they could come: newer people start later.</summary>
    public int FirstWeek { get; set; }
    /// <summary>From this week on the probability decays week by week; null for those who stay.</summary>
    public int? DriftFromWeek { get; set; }
    /// <summary>Visitors come only on these weeks.</summary>
    public IReadOnlyList<int>? VisitWeeks { get; set; }
    /// <summary>Worship start hour they usually choose (9 or 11).</summary>
    public int PreferredHour { get; set; }

    public double ProbabilityAt(int week)
    {
        if (week < FirstWeek)
        {
            return 0;
        }
        if (VisitWeeks is not null)
        {
            return VisitWeeks.Contains(week) ? 1 : 0;
        }
        return DriftFromWeek is { } drift && week > drift
            ? AttendProbability * Math.Pow(0.85, week - drift)
            : AttendProbability;
    }
}
