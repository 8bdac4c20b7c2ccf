using MetricPipeline.Contracts;
using MetricPipeline.Registry;
using MetricPipeline.Rollup;

namespace MetricPipeline.UnitTests;

/// <summary>
/// BucketAggregator and SegmentCatalog without a database: what a batch adds to which hour bucket and segment, and how
/// a value the catalog has not admitted maps. Admission itself (PrepareAsync) runs against PostgreSQL in the
/// integration tests.
/// </summary>
public sealed class RollupAggregationTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 10, 17, 0, TimeSpan.Zero);

    private static readonly RegistrySnapshot Registry = new(1,
    [
        new MetricDefinition { Key = "tasks", Name = "Tasks", Kind = MetricKind.Count, Event = "task_completed", Product = "app", Dimensions = ["plan"] },
        new MetricDefinition { Key = "minutes", Name = "Minutes", Kind = MetricKind.Sum, Event = "task_completed", Product = "app" },
        new MetricDefinition { Key = "web", Name = "Web", Kind = MetricKind.Count, Event = "task_completed", Product = "app", Filter = new Dictionary<string, string> { ["platform"] = "web" } },
    ]);

    private static TelemetryEvent Completed(double value, string? plan, string platform = "web", string product = "app", int minutes = 0) =>
        new(Guid.NewGuid(), product, "task_completed", At.AddMinutes(minutes), "u1", value,
            plan is null ? new Dictionary<string, string> { ["platform"] = platform } : new Dictionary<string, string> { ["plan"] = plan, ["platform"] = platform });

    [Fact]
    public void A_value_the_catalog_has_not_admitted_needs_a_lookup_and_meanwhile_maps_to_other()
    {
        var catalog = new SegmentCatalog(cap: 10);
        Assert.True(catalog.NeedsLookup("tasks", "plan", "free"));
        Assert.Equal("plan=other", catalog.SegmentFor("tasks", "plan", "free"));
        Assert.Equal("plan=(none)", catalog.SegmentFor("tasks", "plan", null));
        Assert.Equal(10, catalog.Cap);
    }

    [Fact]
    public void Unresolved_values_are_grouped_by_metric_and_dimension()
    {
        var catalog = new SegmentCatalog(cap: 10);
        var wanted = BucketAggregator.UnresolvedValues([Completed(1, "free"), Completed(1, "pro"), Completed(1, "free"), Completed(1, null)], Registry, catalog);
        var plans = Assert.Single(wanted);
        Assert.Equal(("tasks", "plan"), plans.Key);
        Assert.Equal(["free", "pro"], plans.Value.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_batch_adds_counts_and_sums_to_the_hour_bucket_of_each_metric_total_and_segment()
    {
        var catalog = new SegmentCatalog(cap: 10);
        var events = new[] { Completed(2, "free"), Completed(3, "free", platform: "ios"), Completed(5, null, minutes: 60), Completed(7, "free", product: "other") };
        var batch = BucketAggregator.Aggregate(events, Registry, catalog);
        var hour = new DateTime(2026, 11, 20, 10, 0, 0, DateTimeKind.Utc);
        var cells = batch.Deltas.ToDictionary(d => (d.MetricKey, d.Start, d.Segment), d => (d.Count, d.Sum));

        Assert.Equal((2L, 5.0), cells[("tasks", hour, "")]);
        Assert.Equal((2L, 5.0), cells[("tasks", hour, "plan=other")]);
        Assert.Equal((1L, 5.0), cells[("tasks", hour.AddHours(1), "plan=(none)")]);
        Assert.Equal((2L, 5.0), cells[("minutes", hour, "")]);
        Assert.Equal((1L, 2.0), cells[("web", hour, "")]);
        Assert.DoesNotContain(batch.Deltas, d => d.Sum == 7);
        Assert.Equal(batch.Deltas.OrderBy(d => d.MetricKey, StringComparer.Ordinal).ThenBy(d => d.Start).ThenBy(d => d.Segment, StringComparer.Ordinal), batch.Deltas);
    }

    [Fact]
    public void Users_of_a_distinct_users_metric_are_hashed_once_per_bucket_they_fall_in()
    {
        var registry = new RegistrySnapshot(1,
        [
            new MetricDefinition { Key = "users", Name = "Users", Kind = MetricKind.DistinctUsers, Event = "task_completed", Dimensions = ["plan"] },
            new MetricDefinition { Key = "tasks", Name = "Tasks", Kind = MetricKind.Count, Event = "task_completed" },
        ]);
        TelemetryEvent By(string? user, int minutes) => new(Guid.NewGuid(), "app", "task_completed", At.AddMinutes(minutes), user, 1, null);
        var events = new[] { By("u1", 0), By("u1", 5), By("u2", 10), By("u1", 60), By(null, 0), By("", 0) };

        var batch = BucketAggregator.Aggregate(events, registry, new SegmentCatalog(cap: 10));

        var seen = batch.Users
            .Select(u => (batch.Deltas[u.Bucket].MetricKey, batch.Deltas[u.Bucket].Start.Hour, batch.Deltas[u.Bucket].Segment, u.UserHash))
            .ToList();
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.All(seen, s => Assert.Equal("users", s.MetricKey));
        var u1 = MetricPipeline.Data.UserHash.Of("u1");
        var u2 = MetricPipeline.Data.UserHash.Of("u2");
        // Hour 10: u1 and u2 in the total and in plan=(none); hour 11: u1 in both.
        (int, string, long)[] expected = [(10, "", u1), (10, "", u2), (10, "plan=(none)", u1), (10, "plan=(none)", u2), (11, "", u1), (11, "plan=(none)", u1)];
        Assert.Equal(expected.Order().ToList(), seen.Select(s => (s.Hour, s.Segment, s.UserHash)).Order().ToList());
        Assert.Equal(5, batch.Deltas.Single(d => d.MetricKey == "tasks" && d.Start.Hour == 10).Count);
    }
}
