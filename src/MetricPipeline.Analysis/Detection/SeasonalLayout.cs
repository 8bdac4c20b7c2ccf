namespace MetricPipeline.Analysis.Detection;

/// <summary>
/// Where a series' observations fall in its seasonal cycles: <see cref="Period"/> observations per cycle (24 hours of
/// a day, 7 days of a week; 0 for none) and, above it, <see cref="Blocks"/> cycles per longer cycle (the 7 days of a
/// week for hourly data; 0 for none). <see cref="PhaseOffset"/> is the phase of observation 0 in its cycle (its hour of
/// day) and <see cref="BlockOffset"/> the position of that cycle in the longer one (its day of the week, Monday = 0).
/// </summary>
public sealed record SeasonalLayout(int Period, int Blocks, int PhaseOffset, int BlockOffset)
{
    /// <summary>No seasonality (weekly data, or a series too short to learn any).</summary>
    public static SeasonalLayout None { get; } = new(0, 0, 0, 0);

    /// <summary>
    /// The cycles are calendar days and weeks (block 0 is Monday), so the working days and the weekend can be told apart.
    /// </summary>
    public bool Calendar { get; init; }

    /// <summary>Hourly buckets: a daily profile and a day-of-week effect; <paramref name="first"/> is the first bucket's start (UTC).</summary>
    public static SeasonalLayout Hourly(DateTime first) => new(24, 7, first.Hour, DayOfWeekIndex(first)) { Calendar = true };

    /// <summary>Daily buckets: a day-of-week profile; <paramref name="first"/> is the first bucket's start (UTC).</summary>
    public static SeasonalLayout Daily(DateTime first) => new(7, 0, DayOfWeekIndex(first), 0);

    /// <summary>The layout that offline periods describe: (24, 168) is hourly, (7) daily, anything else its first period alone.</summary>
    public static SeasonalLayout FromPeriods(IReadOnlyList<int> periods)
    {
        ArgumentNullException.ThrowIfNull(periods);
        var sorted = periods.Where(p => p >= 2).Order().ToList();
        return sorted.Count switch
        {
            0 => None,
            1 => new SeasonalLayout(sorted[0], 0, 0, 0),
            _ when sorted[1] % sorted[0] == 0 => new SeasonalLayout(sorted[0], sorted[1] / sorted[0], 0, 0),
            _ => new SeasonalLayout(sorted[0], 0, 0, 0),
        };
    }

    /// <summary>Phase of observation <paramref name="t"/> within its cycle.</summary>
    public int Phase(int t) => Period < 2 ? 0 : (t + PhaseOffset) % Period;

    /// <summary>Index of the cycle that holds observation <paramref name="t"/> (cycle 0 may be partial).</summary>
    public int Cycle(int t) => Period < 2 ? 0 : (t + PhaseOffset) / Period;

    /// <summary>Position of cycle <paramref name="cycle"/> in the longer cycle (its day of the week).</summary>
    public int BlockPhase(int cycle) => Blocks < 2 ? 0 : (cycle + BlockOffset) % Blocks;

    /// <summary>First observation of cycle <paramref name="cycle"/> (negative for a partial cycle 0).</summary>
    public int CycleStart(int cycle) => (cycle * Period) - PhaseOffset;

    private static int DayOfWeekIndex(DateTime t) => ((int)t.DayOfWeek + 6) % 7;
}
