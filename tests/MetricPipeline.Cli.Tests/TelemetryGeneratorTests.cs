using MetricPipeline.Cli.Simulation;
using MetricPipeline.Contracts;

namespace MetricPipeline.Cli.Tests;

public class TelemetryGeneratorTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private static Scenario SeedScenario() => ScenarioReader.Read(File.ReadAllText(SeedFiles.PathOf("scenario.yaml")));

    private static Scenario Flat(double perHour, int users = 5000, double noise = 0) => new()
    {
        Seed = 7,
        Noise = noise,
        Products =
        [
            new ProductScenario
            {
                Name = "p",
                Users = users,
                UserProperties = new() { ["plan"] = new() { ["free"] = 0.6, ["pro"] = 0.4 } },
                Events = [new EventScenario { Name = "e", PerHour = perHour, Value = new ValueDistribution { Mean = 12, Sd = 3, Min = 0, Decimals = 2 } }],
            },
        ],
    };

    private static string Fingerprint(IEnumerable<TelemetryEvent> events) =>
        string.Join("\n", events.Select(e => $"{e.Id}|{e.Name}|{e.Timestamp:O}|{e.UserId}|{e.Value}|{string.Join(",", e.Properties!.Select(p => $"{p.Key}={p.Value}"))}"));

    [Fact]
    public void Same_seed_and_start_give_identical_events()
    {
        var a = new TelemetryGenerator(SeedScenario(), Monday).Generate(4).ToList();
        var b = new TelemetryGenerator(SeedScenario(), Monday).Generate(4).ToList();

        Assert.NotEmpty(a);
        Assert.Equal(Fingerprint(a), Fingerprint(b));
    }

    [Fact]
    public void Another_seed_gives_other_events()
    {
        var other = SeedScenario();
        other.Seed++;

        var a = new TelemetryGenerator(SeedScenario(), Monday).Generate(2);
        var b = new TelemetryGenerator(other, Monday).Generate(2);

        Assert.NotEqual(Fingerprint(a), Fingerprint(b));
    }

    [Fact]
    public void An_hour_is_the_same_whatever_range_it_is_generated_in()
    {
        var scenario = Flat(100);

        var fromMonday = new TelemetryGenerator(scenario, Monday).GenerateHour(5);
        var fromLater = new TelemetryGenerator(scenario, Monday.AddHours(5)).GenerateHour(0);

        Assert.Equal(Fingerprint(fromMonday), Fingerprint(fromLater));
    }

    [Fact]
    public void Events_are_ordered_and_inside_their_hour()
    {
        var hour = new TelemetryGenerator(SeedScenario(), Monday).GenerateHour(10);

        Assert.All(hour, e => Assert.InRange(e.Timestamp, Monday.AddHours(10), Monday.AddHours(11).AddTicks(-1)));
        Assert.Equal(hour.OrderBy(e => e.Timestamp).Select(e => e.Id), hour.Select(e => e.Id));
    }

    [Fact]
    public void Mean_hourly_rate_matches_the_configured_rate()
    {
        // 500 hours at 200/h: the mean's standard error is sqrt(200/500) ≈ 0.63 events, so 2% (4 events) is > 6 SE.
        var events = new TelemetryGenerator(Flat(200), Monday).Generate(500).Count();

        Assert.InRange(events / 500.0, 196, 204);
    }

    [Fact]
    public void Noise_keeps_the_mean_rate()
    {
        // log-normal noise with its mean corrected to 1: over 500 hours the mean stays within 3%.
        var events = new TelemetryGenerator(Flat(200, noise: 0.2), Monday).Generate(500).Count();

        Assert.InRange(events / 500.0, 194, 206);
    }

    [Fact]
    public void Daily_seasonality_scales_the_hours()
    {
        var scenario = Flat(300);
        scenario.Seasonality.Daily = [.. Enumerable.Range(0, 24).Select(h => h < 12 ? 2.0 : 1.0)];

        var counts = new TelemetryGenerator(scenario, Monday).Generate(24 * 20).GroupBy(e => e.Timestamp.Hour < 12).ToDictionary(g => g.Key, g => g.Count());

        // Multipliers are rescaled to mean 1 (4/3 and 2/3); the morning/afternoon ratio stays 2 (±4%, > 10 SE).
        Assert.InRange(counts[true] / (double)counts[false], 1.92, 2.08);
        Assert.InRange(counts[true] / (20 * 12.0), 300 * 4.0 / 3 * 0.97, 300 * 4.0 / 3 * 1.03);
    }

    [Fact]
    public void Weekly_seasonality_uses_monday_first()
    {
        var scenario = Flat(100);
        scenario.Seasonality.Weekly = [1, 1, 1, 1, 1, 1, 0];

        var events = new TelemetryGenerator(scenario, Monday).Generate(24 * 14).ToList();

        Assert.DoesNotContain(events, e => e.Timestamp.DayOfWeek == DayOfWeek.Sunday);
        Assert.Contains(events, e => e.Timestamp.DayOfWeek == DayOfWeek.Monday);
    }

    [Fact]
    public void Users_come_from_the_pool_with_stable_properties()
    {
        var events = new TelemetryGenerator(Flat(400, users: 50), Monday).Generate(10).ToList();

        var users = events.GroupBy(e => e.UserId).ToList();
        Assert.InRange(users.Count, 2, 50);
        Assert.True(events.Count > 10 * users.Count / 2, "events should repeat users");
        Assert.All(users, u => Assert.Single(u.Select(e => e.Properties!["plan"]).Distinct()));
    }

    [Fact]
    public void Event_values_follow_the_configured_distribution()
    {
        var values = new TelemetryGenerator(Flat(200), Monday).Generate(50).Select(e => e.Value).ToList();

        // mean 12, sd 3: the mean of ~10,000 draws is within 0.1 (> 30 SE); two decimals kept.
        Assert.InRange(values.Average(), 11.9, 12.1);
        Assert.All(values, v => Assert.Equal(Math.Round(v, 2), v));
    }

    [Fact]
    public void Scheduled_drop_hits_free_plan_task_completions_only()
    {
        // Effects only thin events (multipliers below 1 draw the same stream), so the run
        // without effects is a superset: kept fractions measure the effect exactly per segment.
        var with = SeedScenario();
        var without = SeedScenario();
        without.Effects = [];
        var at = (int)with.Effects.Single(e => e.Rates.ContainsKey("task_completed")).AtHour;
        var hours = Enumerable.Range(at - 48, 96).ToList();

        var withGenerator = new TelemetryGenerator(with, Monday);
        var baselineGenerator = new TelemetryGenerator(without, Monday);
        var withEffect = hours.SelectMany(withGenerator.GenerateHour).ToList();
        var baseline = hours.SelectMany(baselineGenerator.GenerateHour).ToList();

        double Kept(Func<TelemetryEvent, bool> which) =>
            withEffect.Count(e => which(e)) / (double)baseline.Count(e => which(e));
        bool After(TelemetryEvent e) => e.Timestamp >= Monday.AddHours(at);
        bool Tasks(TelemetryEvent e, string plan) => e.Name == "task_completed" && e.Properties!["plan"] == plan;

        // ~4,000 free-plan tasks after the change: binomial SE of the kept fraction ≈ 0.006, tolerance 0.03.
        Assert.InRange(Kept(e => After(e) && Tasks(e, "free")), 0.57, 0.63);
        Assert.Equal(1.0, Kept(e => After(e) && Tasks(e, "pro")));
        Assert.Equal(1.0, Kept(e => After(e) && Tasks(e, "team")));
        Assert.Equal(1.0, Kept(e => !After(e) && Tasks(e, "free")));
        Assert.Equal(1.0, Kept(e => After(e) && e.Name == "message_sent" && e.Properties!["plan"] == "free"));
        Assert.Equal(1.0, Kept(e => After(e) && e.Product == "copilot"));
    }

    [Fact]
    public void Model_version_switches_at_the_rollout()
    {
        var scenario = SeedScenario();
        var at = (int)scenario.Effects.First(e => e.Properties.ContainsKey("model_version")).AtHour;
        var generator = new TelemetryGenerator(scenario, Monday);

        var before = generator.GenerateHour(at - 1).Where(e => e.Product == "assistant").Select(e => e.Properties!["model_version"]).Distinct();
        var after = generator.GenerateHour(at).Where(e => e.Product == "assistant").Select(e => e.Properties!["model_version"]).Distinct();

        Assert.Equal(["v7"], before);
        Assert.Equal(["v8"], after);
    }

    [Fact]
    public void Seed_scenario_produces_hundreds_of_thousands_of_events_a_week()
    {
        var count = new TelemetryGenerator(SeedScenario(), Monday).Generate(24 * 7).Count();

        // 1,732 events/h configured × 168 h ≈ 291,000; seasonality averages to 1.
        Assert.InRange(count, 270_000, 310_000);
    }

    [Fact]
    public void Scenario_with_an_unknown_field_is_refused_with_its_line()
    {
        var error = Assert.Throws<ScenarioException>(() => ScenarioReader.Read("seed: 1\nproducts:\n  - name: p\n    userz: 5\n"));

        Assert.StartsWith("scenario line 4:", error.Message, StringComparison.Ordinal);
    }
}
