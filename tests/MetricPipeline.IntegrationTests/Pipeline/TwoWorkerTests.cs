using System.Net.Http.Json;
using MetricPipeline.IntegrationTests.Infrastructure;
using System.Text.Json;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>
/// Scale-out of the rollup: two worker processes compete for one queue. Each event is counted by exactly
/// one of them, duplicates that reach different workers are still counted once, and the distinct-user
/// sketches the two write into the same buckets add up to exact counts.
/// </summary>
public sealed class TwoWorkerTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    private const int Hours = 24;

    [Fact]
    public async Task Two_workers_on_one_queue_count_a_shuffled_stream_with_duplicates_exactly()
    {
        var front = await environment.StartServerAsync("ingest,api");
        var api = new PipelineApi(front);
        await api.ApplyRegistryAsync(TestTelemetry.RegistryJson);
        // Small batches so that both workers take part all along.
        var settings = new Dictionary<string, string> { ["Rollup__BatchMessageLimit"] = "2" };
        await environment.StartServerAsync("worker", settings);
        await environment.StartServerAsync("worker", settings);

        var random = new Random(2024);
        var unique = TestTelemetry.Generate(30_000, Hours, seed: 31);
        var duplicates = unique.OrderBy(_ => random.Next()).Take(3_000).ToList();
        var stream = unique.Concat(duplicates).OrderBy(_ => random.Next()).ToList();
        foreach (var pair in stream.Chunk(500).Chunk(4))
        {
            await Task.WhenAll(pair.Select(batch => api.SendAsync(batch)));
        }

        // A whole batch re-sent: its messages go to whichever worker is free.
        await api.SendAsync(stream.Take(500));

        var from = TestTelemetry.Start.UtcDateTime;
        var to = from.AddHours(Hours);
        await api.WaitForTotalAsync("tasks", unique.Count(e => e.Product == "app" && e.Name == "task_completed"), from, to, TimeSpan.FromMinutes(3));
        await api.WaitForTotalAsync("shown", unique.Count(e => e.Product == "app" && e.Name == "suggestion_shown"), from, to, TimeSpan.FromMinutes(1));

        var oracle = new ExpectedCells(unique, (_, _) => true);
        var cells = 0;
        foreach (var metric in new[] { "tasks", "minutes", "users", "accepted" })
        {
            foreach (var segment in TestTelemetry.Plans.Select(p => "plan=" + p).Prepend(""))
            {
                var expected = oracle.Stored(metric, segment);
                foreach (var (t, value) in await api.SeriesAsync(metric, segment, from, to))
                {
                    var want = expected.GetValueOrDefault(t);
                    Assert.True(Math.Abs((value ?? double.NaN) - want) <= 1e-9 * Math.Max(1, want), $"{metric} [{segment}] at {t:o}: got {value}, expected {want}");
                    cells++;
                }
            }
        }

        Assert.Equal(4 * 4 * Hours, cells);
        var dailyUsers = await api.SeriesAsync("users", "", from, to, "day");
        Assert.Equal(oracle.Stored("users", "", MetricPipeline.Registry.Grain.Day).Single().Value, dailyUsers.Single().Value);

        // Both took part: two connections acknowledged rollup messages.
        var acked = await AcksPerConnectionAsync();
        Assert.True(acked.Count(a => a.Value > 0) >= 2, $"messages were acknowledged on {acked.Count(a => a.Value > 0)} connection(s) only: {string.Join(", ", acked)}");
    }

    /// <summary>Acknowledged messages per AMQP connection of this environment's vhost (RabbitMQ's management API).</summary>
    private async Task<Dictionary<string, long>> AcksPerConnectionAsync()
    {
        using var management = environment.ManagementClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var acks = new Dictionary<string, long>();
        while (DateTime.UtcNow < deadline)
        {
            var channels = await management.GetFromJsonAsync<JsonElement>($"api/vhosts/{Uri.EscapeDataString(environment.VirtualHost)}/channels");
            // A channel whose connection is closing reports its connection_details as an empty array: skip it.
            acks = channels.EnumerateArray()
                .Where(c => c.TryGetProperty("connection_details", out var details) && details.ValueKind == JsonValueKind.Object)
                .GroupBy(c => c.GetProperty("connection_details").GetProperty("name").GetString()!)
                .ToDictionary(g => g.Key, g => g.Sum(c => c.TryGetProperty("message_stats", out var stats) && stats.TryGetProperty("ack", out var ack) ? ack.GetInt64() : 0));
            if (acks.Count(a => a.Value > 0) >= 2)
            {
                break;
            }

            await Task.Delay(1_000); // the management statistics refresh every few seconds
        }

        return acks;
    }
}
