using System.Globalization;
using System.Net;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;
using Npgsql;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>
/// Distinct users are hll sketches per hour bucket. Small sets are exact; large ones stay within the
/// sketch's error; a rolling 7-day count (weekly active users per day) is a union of hour sketches.
/// Checked through the HTTP API against exact counts computed from the events.
/// </summary>
public sealed class DistinctUserSketchTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    private const int Days = 12;

    /// <summary>Relative standard error of log2m = 14 is 0.81 %; 4 σ keeps a deterministic test far from its edge.</summary>
    private const double LargeSetTolerance = 0.033;

    private static readonly DateTime Start = TestTelemetry.Start.UtcDateTime;

    [Fact]
    public async Task Rolling_seven_day_distinct_users_match_exact_counts()
    {
        var server = await environment.StartServerAsync();
        var api = new PipelineApi(server);
        await api.ApplyRegistryAsync(TestTelemetry.RegistryJson);

        // 6,000 users, the first 300 of them daily regulars: a day holds ~1,900 distinct users (above the
        // explicit threshold of 1,280, so sketched) and the plan=team segment of an hour a few dozen (exact).
        var random = new Random(99);
        var events = new List<TestEvent>();
        for (var day = 0; day < Days; day++)
        {
            for (var i = 0; i < 2_500; i++)
            {
                var user = random.NextDouble() < 0.3 ? random.Next(300) : random.Next(6_000);
                var at = new DateTimeOffset(Start.AddDays(day).AddSeconds(random.Next(86_400)), TimeSpan.Zero);
                var plan = TestTelemetry.Plans[user % 3];
                events.Add(new TestEvent(TestTelemetry.NewGuid(random), "app", "task_completed", at,
                    "u" + user.ToString(CultureInfo.InvariantCulture), 1, new Dictionary<string, string> { ["plan"] = plan }));
            }
        }

        foreach (var chunk in events.OrderBy(_ => random.Next()).Chunk(2_000))
        {
            await api.SendAsync(chunk);
        }

        var end = Start.AddDays(Days);
        await api.WaitForTotalAsync("tasks", events.Count, Start, end, TimeSpan.FromMinutes(3));

        var from = Start.AddDays(6);
        var compared = 0;
        foreach (var segment in new[] { "", "plan=team" })
        {
            var inSegment = events.Where(e => segment.Length == 0 || "plan=" + e.Properties["plan"] == segment).ToList();
            var rolling = await api.SeriesAsync("users", segment, from, end, "day", "7d");
            Assert.Equal(Days - 6, rolling.Count);
            foreach (var (t, value) in rolling)
            {
                var exact = inSegment.Where(e => e.Timestamp.UtcDateTime >= t.AddDays(-6) && e.Timestamp.UtcDateTime < t.AddDays(1))
                    .Select(e => e.UserId).Distinct().Count();
                AssertWithinSketchError(exact, value, $"users [{segment}] 7 days to {t:yyyy-MM-dd}");
                compared++;
            }

            // The rolling window applies to counts too: a 7-day sum per day, exact.
            var rollingTasks = await api.SeriesAsync("tasks", segment, from, end, "day", "7d");
            foreach (var (t, value) in rollingTasks)
            {
                Assert.Equal(inSegment.Count(e => e.Timestamp.UtcDateTime >= t.AddDays(-6) && e.Timestamp.UtcDateTime < t.AddDays(1)), value);
            }

            // Every hour of the segment, and the whole range as one union.
            foreach (var (t, value) in await api.SeriesAsync("users", segment, Start, end))
            {
                var exact = inSegment.Where(e => ExpectedCells.Hour(e.Timestamp) == t).Select(e => e.UserId).Distinct().Count();
                AssertWithinSketchError(exact, value, $"users [{segment}] hour {t:o}");
                compared++;
            }

            var total = (await api.SegmentTotalsAsync("users", Start, end))[segment];
            AssertWithinSketchError(inSegment.Select(e => e.UserId).Distinct().Count(), total, $"users [{segment}] over all {Days} days");
        }

        Assert.True(compared > 2 * Days * 24, $"only {compared} values compared");
        await using var connection = new NpgsqlConnection(environment.PostgresConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_name = 'bucket_users'", connection);
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_window_that_is_not_whole_buckets_is_refused_with_a_reason()
    {
        var server = await environment.StartServerAsync();
        var api = new PipelineApi(server);
        await api.ApplyRegistryAsync(TestTelemetry.RegistryJson);
        foreach (var (window, reason) in new[] { ("36h", "whole number of day buckets"), ("7x", "not a length"), ("0d", "not a length"), ("400d", "longer than") })
        {
            var response = await api.Anonymous.GetAsync($"v1/metrics/users/series?grain=day&window={window}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
            Assert.Contains(reason, detail, StringComparison.Ordinal);
        }
    }

    /// <summary>Exact below the explicit threshold (1,280 users), within the tolerance above it.</summary>
    private static void AssertWithinSketchError(int exact, double? value, string what)
    {
        Assert.True(value.HasValue, $"{what}: no value");
        if (exact <= 1_280)
        {
            Assert.True(exact == value, $"{what}: {value} where exactly {exact} users were seen (explicit sketch: must be exact)");
            return;
        }

        var error = Math.Abs(value!.Value - exact) / exact;
        Assert.True(error <= LargeSetTolerance, $"{what}: {value} against {exact} exact, {error:P2} off");
    }
}
