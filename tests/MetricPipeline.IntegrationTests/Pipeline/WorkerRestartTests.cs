using MetricPipeline.IntegrationTests.Infrastructure;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>Killing the rollup worker mid-stream loses nothing and counts nothing twice.</summary>
public sealed class WorkerRestartTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    [Fact]
    public async Task A_worker_killed_mid_stream_and_restarted_loses_and_double_counts_nothing()
    {
        var front = await environment.StartServerAsync("ingest,api");
        var api = new PipelineApi(front);
        await api.ApplyRegistryAsync(TestTelemetry.RegistryJson);
        // Small batches keep the worker mid-transaction most of the time, so the kill lands inside one.
        var worker = await environment.StartServerAsync("worker", new Dictionary<string, string> { ["Rollup__BatchMessageLimit"] = "2" });

        var events = TestTelemetry.Generate(40_000, 24, seed: 99);
        var batches = events.Chunk(1_000).ToList();
        for (var i = 0; i < batches.Count; i++)
        {
            if (i == batches.Count / 2)
            {
                worker.Kill();
            }

            await api.SendAsync(batches[i]);
        }

        // Some of what was sent before the kill is re-sent after it, as a client retrying would.
        foreach (var batch in batches.Skip(batches.Count / 2 - 3).Take(3))
        {
            await api.SendAsync(batch);
        }

        await environment.StartServerAsync("worker");
        var from = TestTelemetry.Start.UtcDateTime;
        var to = from.AddHours(24);
        await api.WaitForTotalAsync("tasks", events.Count(e => e.Product == "app" && e.Name == "task_completed"), from, to, TimeSpan.FromMinutes(3));
        await api.WaitForTotalAsync("shown", events.Count(e => e.Product == "app" && e.Name == "suggestion_shown"), from, to, TimeSpan.FromMinutes(1));

        var oracle = new ExpectedCells(events, (_, _) => true);
        foreach (var metric in new[] { "tasks", "minutes", "users" })
        {
            var expected = oracle.Stored(metric, "");
            foreach (var (t, value) in await api.SeriesAsync(metric, "", from, to))
            {
                var want = expected.GetValueOrDefault(t);
                Assert.True(Math.Abs((value ?? double.NaN) - want) <= 1e-9 * Math.Max(1, want), $"{metric} at {t:o}: got {value}, expected {want}");
            }
        }
    }
}
