using System.Globalization;
using System.Text.Json.Nodes;

namespace MetricPipeline.LiveReplay;

/// <summary>A deployment tagged <see cref="LagMinutes"/> before the change, scoped by the metric's product or by its key.</summary>
public sealed record DeploymentTag(int LagMinutes, bool ByProduct);

/// <summary>
/// One scenario in one seed's database: its registry definitions, its counts, the true change and what the detector
/// should say about it. <see cref="Keys"/> are every metric of the scenario (a ratio has three), <see cref="Measured"/>
/// the one whose alerts are scored; alerts of <see cref="Related"/> metrics of the same sign near the change (a ratio's
/// numerator moves with it) are true too.
/// </summary>
public sealed record ScenarioInstance(
    Scenario Scenario,
    string Measured,
    IReadOnlyList<string> Keys,
    IReadOnlyList<string> Related,
    IReadOnlyList<JsonObject> Definitions,
    IReadOnlyList<GeneratedMetric> Metrics,
    DateTime ChangeAt,
    IReadOnlyList<DateTime> Spikes,
    DeploymentTag? Tag,
    DateTime? Holiday)
{
    /// <summary>Series the pass analyses for this scenario: per metric its total and each plan.</summary>
    public int SeriesCount => Keys.Count * (1 + SeriesGenerator.Plans.Length);

    public bool IsDaily => Scenario.Kind == ChangeKind.DailyLevel;

    public string? DeploymentJson(int seed) => Tag is not { } tag
        ? null
        : new JsonObject
        {
            ["service"] = $"{Measured}-model",
            ["version"] = $"v{seed}",
            ["kind"] = "model",
            ["startedAt"] = ChangeAt.AddMinutes(-tag.LagMinutes).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            [tag.ByProduct ? "products" : "metrics"] = new JsonArray(tag.ByProduct ? Measured : (JsonNode)Measured),
        }.ToJsonString();
}

/// <summary>
/// One seed: one database holding every scenario's metric, all changing at the same hour, which is drawn per seed
/// (a random weekday and hour; one seed in four on a Friday evening, 17–22 h UTC, just before the weekend). The data
/// end 48–150 h after the change (so the change lies in the last week of five), and passes run as of every hour from
/// a day before the change to 48 h after it.
/// </summary>
public sealed record SeedPlan(int Seed, DateTime Start, int Hours, DateTime ChangeAt, IReadOnlyList<ScenarioInstance> Instances)
{
    public const int Weeks = 5;
    public const int HoursBefore = 24;
    public const int HoursAfter = 48;

    /// <summary>
    /// Passes as of every hour of the data's last week (168 passes, the first as of the hour that closes the fourth
    /// week) instead of from a day before the change to 48 h after it: a week of hourly passes as a user runs them, for
    /// the steady scenarios' false alerts (<c>--week-of-passes</c>).
    /// </summary>
    public bool WeekOfPasses { get; init; }

    /// <summary>Bucket starts of the passes: asOf is each plus the pass minute.</summary>
    public IEnumerable<DateTime> PassHours => WeekOfPasses
        ? Enumerable.Range(1, 168).Select(k => Start.AddHours(Hours - 168 + k))
        : Enumerable.Range(-HoursBefore, HoursBefore + HoursAfter + 1).Select(k => ChangeAt.AddHours(k));

    /// <summary>The first bucket no pass before the first had seen: the bucket of the first pass's asOf, less one (its newest closed bucket).</summary>
    public DateTime FirstNewBucket => PassHours.First().AddHours(-1);

    public static SeedPlan Create(int seed, IReadOnlyList<Scenario> scenarios, double minRelativeChange, DateTime now, bool tagSteady = false)
    {
        var random = new Random(seed);
        var monday = now.Date.AddDays(-21);
        monday = monday.AddDays(-(((int)monday.DayOfWeek + 6) % 7));
        var friday = seed % 4 == 0;
        var day = friday ? 4 : random.Next(7);
        var hour = friday ? 17 + random.Next(6) : random.Next(24);
        var changeAt = DateTime.SpecifyKind(monday.AddDays(day).AddHours(hour), DateTimeKind.Utc);
        var end = changeAt.AddHours(HoursAfter + random.Next(103));
        var hours = Weeks * 7 * 24;
        var start = end.AddHours(-hours);
        // Each scenario draws from its own stream, fixed by the seed and the scenario's place in the full list, so a
        // run of some scenarios (--scenario) sees the same series as a full run.
        var instances = scenarios
            .Select(s => Instance(s, new Random((seed * 7919) + Scenario.All.ToList().FindIndex(a => a.Name == s.Name)), start, hours, changeAt, seed, minRelativeChange, tagSteady))
            .ToList();
        return new SeedPlan(seed, start, hours, changeAt, instances);
    }

    private static ScenarioInstance Instance(Scenario scenario, Random random, DateTime start, int hours, DateTime changeAt, int seed, double minRelativeChange, bool tagSteady)
    {
        var generator = new SeriesGenerator(random, start, hours);
        var c = (int)(changeAt - start).TotalHours;
        var key = scenario.Key;
        var drift = random.NextDouble() < 0.5 ? 0.1 : 0;
        var tag = scenario.Taggable && random.NextDouble() < 2.0 / 3 ? new DeploymentTag(10 + random.Next(51), random.NextDouble() < 0.5) : null;
        var windowStart = changeAt.AddHours(-HoursBefore);
        List<DateTime> spikes = [];
        DateTime? holiday = null;
        Func<int, string, double> change;
        switch (scenario.Kind)
        {
            case ChangeKind.Level or ChangeKind.DailyLevel:
                change = (i, _) => i >= c ? scenario.Factor : 1;
                break;
            case ChangeKind.SegmentLevel:
                change = (i, plan) => i >= c && plan == scenario.Plan ? scenario.Factor : 1;
                break;
            case ChangeKind.Outage:
                var level = 0.05 + (0.15 * random.NextDouble());
                change = (i, _) => i >= c && i < c + scenario.Hours ? level : 1;
                break;
            case ChangeKind.Spike:
                var height = 2 + random.NextDouble();
                spikes.Add(changeAt);
                change = (i, _) => i == c ? height : 1;
                break;
            case ChangeKind.Steady:
                if (scenario.Steady == SteadyVariant.Drift)
                {
                    drift = 0.2;
                }
                else if (scenario.Steady == SteadyVariant.Holiday)
                {
                    var weekdays = Enumerable.Range(0, 4).Select(d => windowStart.Date.AddDays(d))
                        .Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && d < windowStart.AddHours(HoursBefore + HoursAfter)).ToList();
                    holiday = weekdays[random.Next(weekdays.Count)];
                }
                else
                {
                    var first = random.Next(HoursBefore + HoursAfter - 12);
                    var second = (first + 12 + random.Next(HoursBefore + HoursAfter - 24)) % (HoursBefore + HoursAfter);
                    spikes.AddRange([windowStart.AddHours(first), windowStart.AddHours(second)]);
                }

                var spikeIndexes = spikes.Select(t => (int)(t - start).TotalHours).ToHashSet();
                var spikeHeight = 2 + random.NextDouble();
                change = (i, _) => spikeIndexes.Contains(i) ? spikeHeight : 1;
                break;
            case ChangeKind.RatioLevel:
                var (numerator, denominator) = generator.Ratio(key + "_num", key + "_den", i => i >= c ? scenario.Factor : 1);
                return new ScenarioInstance(
                    scenario, key, [numerator.Key, denominator.Key, key], [numerator.Key],
                    [Definition(numerator.Key, "count", "hour", key, minRelativeChange), Definition(denominator.Key, "count", "hour", key, minRelativeChange), RatioDefinition(key, numerator.Key, denominator.Key, minRelativeChange)],
                    [numerator, denominator], changeAt, spikes, tag, holiday);
            default:
                throw new InvalidOperationException($"unknown scenario kind {scenario.Kind}");
        }

        if (scenario.Kind == ChangeKind.Steady)
        {
            // Steady series measure false alerts only; the deployment window and change time do not apply. With
            // --tag-steady a deployment that changes nothing is tagged before the change hour (drawn apart from the
            // series' own stream, so the series are those of a run without it).
            var lag = new Random(seed * 104729);
            tag = tagSteady ? new DeploymentTag(10 + lag.Next(51), lag.NextDouble() < 0.5) : null;
        }

        var metric = generator.Counts(key, change, drift, holiday);
        var grain = scenario.Kind == ChangeKind.DailyLevel ? "day" : "hour";
        return new ScenarioInstance(scenario, key, [key], [], [Definition(key, "count", grain, key, minRelativeChange)], [metric], changeAt, spikes, tag, holiday);
    }

    private static JsonObject Definition(string key, string kind, string grain, string product, double minRelativeChange) => new()
    {
        ["key"] = key,
        ["name"] = key.Replace('_', ' '),
        ["owner"] = "replay",
        ["role"] = "input",
        ["kind"] = kind,
        ["event"] = key + "_done",
        ["product"] = product,
        ["dimensions"] = new JsonArray("plan"),
        ["grain"] = grain,
        ["direction"] = "up",
        ["alert"] = new JsonObject { ["minRelativeChange"] = minRelativeChange },
    };

    private static JsonObject RatioDefinition(string key, string numerator, string denominator, double minRelativeChange) => new()
    {
        ["key"] = key,
        ["name"] = key.Replace('_', ' '),
        ["owner"] = "replay",
        ["role"] = "input",
        ["kind"] = "ratio",
        ["numerator"] = numerator,
        ["denominator"] = denominator,
        ["product"] = key,
        ["dimensions"] = new JsonArray("plan"),
        ["grain"] = "hour",
        ["direction"] = "up",
        ["alert"] = new JsonObject { ["minRelativeChange"] = minRelativeChange },
    };
}
