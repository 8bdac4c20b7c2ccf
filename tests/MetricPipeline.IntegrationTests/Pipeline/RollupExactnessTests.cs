using MetricPipeline.IntegrationTests.Infrastructure;
using MetricPipeline.Registry;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>
/// Acceptance: 20,000+ shuffled events with re-sent duplicates, late events and an NDJSON batch give
/// exactly the expected value in every (metric, hour, segment) cell — through real HTTP, RabbitMQ and
/// PostgreSQL, with a segment cap small enough to send some values to "other".
/// </summary>
public sealed class RollupExactnessTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    private const int Hours = 48;
    private const int SegmentCap = 3;

    [Fact]
    public async Task Shuffled_stream_with_duplicates_and_late_events_gives_exact_values_in_every_cell()
    {
        var server = await environment.StartServerAsync("all", new Dictionary<string, string> { ["Rollup__MaxSegmentValues"] = SegmentCap.ToString() });
        var api = new PipelineApi(server);
        await api.ApplyRegistryAsync(TestTelemetry.RegistryJson);

        var random = new Random(4242);
        var unique = TestTelemetry.Generate(21_000, Hours, seed: 7);
        // 500 late events: they belong to the first hours but arrive after everything else.
        var late = TestTelemetry.Generate(500, 6, seed: 8);
        var duplicates = unique.OrderBy(_ => random.Next()).Take(1_500).ToList();
        var stream = unique.Concat(duplicates).OrderBy(_ => random.Next()).ToList();

        var batches = stream.Chunk(1_500).ToList();
        var acceptedTotal = 0;
        for (var i = 0; i < batches.Count; i += 2)
        {
            var sends = batches.Skip(i).Take(2).Select((b, j) => api.SendAsync(b, ndjson: i + j == 3));
            foreach (var response in await Task.WhenAll(sends))
            {
                Assert.Equal(0, response.GetProperty("rejected").GetArrayLength());
                acceptedTotal += response.GetProperty("accepted").GetInt32();
            }
        }

        // A batch re-sent whole, days later as far as the client knows: accepted again, counted once.
        var resent = await api.SendAsync(batches[5]);
        Assert.Equal(batches[5].Length, resent.GetProperty("accepted").GetInt32());
        await api.SendAsync(late, ndjson: true);

        var all = unique.Concat(late).ToList();
        var from = TestTelemetry.Start.UtcDateTime;
        var to = from.AddHours(Hours);
        var expectedTasks = all.Count(e => e.Product == "app" && e.Name == "task_completed");
        await api.WaitForTotalAsync("tasks", expectedTasks, from, to, TimeSpan.FromMinutes(3));
        await api.WaitForTotalAsync("shown", all.Count(e => e.Product == "app" && e.Name == "suggestion_shown"), from, to, TimeSpan.FromMinutes(1));
        await api.WaitForTotalAsync("accepted", all.Count(e => e.Product == "app" && e.Name == "suggestion_accepted"), from, to, TimeSpan.FromMinutes(1));

        // The cap: plan has exactly 3 values (all admitted); country has 5, so 3 are admitted and the rest are "other".
        var countrySegments = (await api.SegmentTotalsAsync("tasks", from, to)).Keys.Where(s => s.StartsWith("country=", StringComparison.Ordinal)).ToList();
        var admittedCountries = countrySegments.Select(s => s["country=".Length..]).Where(v => v is not "other" and not "(none)").ToHashSet();
        Assert.Equal(SegmentCap, admittedCountries.Count);
        Assert.Contains("country=other", countrySegments);
        Assert.Contains("country=(none)", countrySegments);

        var oracle = new ExpectedCells(all, (key, value) => !key.EndsWith("/country", StringComparison.Ordinal) || admittedCountries.Contains(value));
        var planSegments = TestTelemetry.Plans.Select(p => "plan=" + p).ToList();
        var countryCells = admittedCountries.Select(c => "country=" + c).Concat(["country=other", "country=(none)"]).ToList();
        var cases = new List<(string Metric, string Segment)>();
        foreach (var metric in new[] { "tasks", "minutes", "users", "web_tasks", "shown", "accepted" })
        {
            cases.Add((metric, ""));
            if (metric != "web_tasks")
            {
                cases.AddRange(planSegments.Select(s => (metric, s)));
            }
        }

        cases.AddRange(countryCells.Select(s => ("tasks", s)));
        var cells = 0; // counted, so the test cannot pass by comparing nothing
        foreach (var (metric, segment) in cases)
        {
            var expected = oracle.Stored(metric, segment);
            var actual = await api.SeriesAsync(metric, segment, from, to);
            Assert.Equal(Hours, actual.Count);
            foreach (var (t, value) in actual)
            {
                var want = expected.GetValueOrDefault(t);
                Assert.True(Math.Abs((value ?? double.NaN) - want) <= 1e-9 * Math.Max(1, Math.Abs(want)),
                    $"{metric} [{segment}] at {t:o}: got {value}, expected {want}");
                cells++;
            }
        }

        // Ratio cells: accepted / shown per hour and plan, to 1e-9.
        foreach (var segment in planSegments.Prepend(""))
        {
            var top = oracle.Stored("accepted", segment);
            var bottom = oracle.Stored("shown", segment);
            foreach (var (t, value) in await api.SeriesAsync("acceptance_rate", segment, from, to))
            {
                var d = bottom.GetValueOrDefault(t);
                if (d == 0)
                {
                    Assert.Null(value);
                    continue;
                }

                var want = top.GetValueOrDefault(t) / d;
                Assert.True(value.HasValue && Math.Abs(value.Value - want) <= 1e-9, $"acceptance_rate [{segment}] at {t:o}: got {value}, expected {want}");
                cells++;
            }
        }

        // Days: counts are sums of hours; distinct users are distinct per day, not sums.
        foreach (var metric in new[] { "tasks", "users" })
        {
            var expected = oracle.Stored(metric, "", Grain.Day);
            var actual = await api.SeriesAsync(metric, "", from, to, "day");
            Assert.Equal(2, actual.Count);
            Assert.All(actual, p => Assert.Equal(expected.GetValueOrDefault(p.T), p.Value));
        }

        Assert.True(cells >= cases.Count * Hours, $"only {cells} cells compared");
    }
}
