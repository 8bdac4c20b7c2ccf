namespace MetricPipeline.LiveReplay;

/// <summary>What happens to a scenario's series at its change.</summary>
public enum ChangeKind
{
    /// <summary>The total (every plan) moves to <see cref="Scenario.Factor"/> × its level and stays there.</summary>
    Level,

    /// <summary>One plan (<see cref="Scenario.Plan"/>) moves to <see cref="Scenario.Factor"/> × its level and stays there.</summary>
    SegmentLevel,

    /// <summary>Traffic falls to 5–20% for <see cref="Scenario.Hours"/> whole hours, then returns.</summary>
    Outage,

    /// <summary>One hour at 2–3 × the expected value.</summary>
    Spike,

    /// <summary>No change: drift, weekends, a holiday (one weekday at weekend level) and, in one variant, two single-hour spikes.</summary>
    Steady,

    /// <summary>A day-grain metric whose total moves to <see cref="Scenario.Factor"/> × its level.</summary>
    DailyLevel,

    /// <summary>A ratio (numerator count / denominator count) whose rate moves to <see cref="Scenario.Factor"/> × its level.</summary>
    RatioLevel,
}

/// <summary>Variants of the steady series.</summary>
public enum SteadyVariant { Drift, Holiday, Spikes }

/// <summary>
/// One scenario of the replay: a metric of its own (its own product, so a deployment tagged for it is in no other
/// scenario's scope) in every seed's database.
/// </summary>
public sealed record Scenario(string Name, ChangeKind Kind, double Factor = 1, int Hours = 0, string Plan = "", SteadyVariant Steady = SteadyVariant.Drift)
{
    /// <summary>Whether a deployment may be tagged shortly before the change (level changes of any grain and kind).</summary>
    public bool Taggable => Kind is ChangeKind.Level or ChangeKind.SegmentLevel or ChangeKind.DailyLevel or ChangeKind.RatioLevel;

    /// <summary>Sign of the true change (−1 drop, +1 rise, 0 none).</summary>
    public int Sign => Kind switch
    {
        ChangeKind.Outage => -1,
        ChangeKind.Spike => 1,
        ChangeKind.Steady => 0,
        _ => Math.Sign(Factor - 1),
    };

    /// <summary>Whether this is a drop of the total of an hourly count (the acceptance's delay targets).</summary>
    public bool IsTotalDrop => Kind == ChangeKind.Level && Factor < 1;

    /// <summary>The metric key of this scenario (also its product).</summary>
    public string Key => Name.Replace('-', '_').Replace('%', 'p');

    /// <summary>The scenarios of a default run.</summary>
    public static IReadOnlyList<Scenario> All { get; } =
    [
        .. new[] { 3, 5, 10, 20, 30 }.Select(p => new Scenario($"drop-{p}%", ChangeKind.Level, 1 - (p / 100.0))),
        .. new[] { 3, 5, 10, 20, 30 }.Select(p => new Scenario($"rise-{p}%", ChangeKind.Level, 1 + (p / 100.0))),
        new("free-drop-40%", ChangeKind.SegmentLevel, 0.6, Plan: "free"),
        new("pro-rise-40%", ChangeKind.SegmentLevel, 1.4, Plan: "pro"),
        .. new[] { 1, 2, 3 }.Select(h => new Scenario($"outage-{h}h", ChangeKind.Outage, Hours: h)),
        new("spike", ChangeKind.Spike, Hours: 1),
        new("steady-drift", ChangeKind.Steady, Steady: SteadyVariant.Drift),
        new("steady-holiday", ChangeKind.Steady, Steady: SteadyVariant.Holiday),
        new("steady-spikes", ChangeKind.Steady, Steady: SteadyVariant.Spikes),
        new("daily-drop-20%", ChangeKind.DailyLevel, 0.8),
        new("ratio-drop-10%", ChangeKind.RatioLevel, 0.9),
    ];
}
