using MetricPipeline.Data;
using MetricPipeline.IntegrationTests.Infrastructure;
using MetricPipeline.Rollup;
using Npgsql;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>
/// De-duplication ids live in daily partitions of <c>seen_events</c> (by event time). Inside the window a
/// re-sent id is counted once; partitions are only kept for the window, and the purge drops whole partitions.
/// </summary>
public sealed class SeenEventPartitionTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    private static readonly TimeSpan Window = TimeSpan.FromDays(3);

    [Fact]
    public async Task A_resent_id_inside_the_window_counts_once_and_partitions_past_the_window_are_dropped()
    {
        var server = await environment.StartServerAsync("all", new Dictionary<string, string>
        {
            ["Rollup__DedupeRetention"] = "3.00:00:00",
            ["Rollup__PartitionsAhead"] = "1.00:00:00",
        });
        var api = new PipelineApi(server);
        await api.ApplyRegistryAsync(TestTelemetry.RegistryJson);

        // Live events over the last two days and a batch from six days ago (outside the window).
        var now = DateTime.UtcNow;
        var random = new Random(5);
        var recent = Shift(TestTelemetry.Generate(4_000, 48, seed: 51), now.AddHours(-47));
        var old = Shift(TestTelemetry.Generate(500, 6, seed: 52), now.AddDays(-6));
        await api.SendAsync(recent.Take(2_000));
        await api.SendAsync(old);
        await api.SendAsync(recent.Skip(2_000));
        // Re-sent inside the window: accepted again, counted once.
        var resent = recent.OrderBy(_ => random.Next()).Take(1_000).ToList();
        await api.SendAsync(resent);

        var all = recent.Concat(old).ToList();
        var from = now.AddDays(-7);
        var to = now.AddHours(2);
        await api.WaitForTotalAsync("tasks", all.Count(e => e.Product == "app" && e.Name == "task_completed"), from, to, TimeSpan.FromMinutes(3));

        await using var connection = new NpgsqlConnection(environment.PostgresConnectionString);
        await connection.OpenAsync();
        Assert.Equal(all.Count, await CountAsync(connection, "SELECT count(*) FROM seen_events"));

        // Daily partitions cover the window and a day ahead, nothing older.
        var partitions = await TimePartitions.ListAsync(connection, PartitionedTable.SeenEvents, CancellationToken.None);
        Assert.InRange(partitions.Count, 4, 6);
        Assert.All(partitions, p => Assert.True(p.To > now - Window, $"{p.Name} ends {p.To:o}, before the window"));
        // The live ids sit in their day's partition; only the late batch waits in the default one.
        Assert.Equal(old.Count, await TimePartitions.DefaultRowsAsync(connection, PartitionedTable.SeenEvents, CancellationToken.None));

        // Three days later (as far as the purge is concerned) the live events' first day has left the window, whatever
        // the time of day the test runs at (two days later, its first day ended too late when run after 23:00 UTC):
        // its partitions are dropped, not emptied row by row, and the table shrinks with them; the newest hours stay.
        var settings = new RollupOptions { DedupeRetention = Window, PartitionsAhead = TimeSpan.FromDays(1) };
        var later = now.AddDays(3);
        var dropped = await PartitionMaintenance.RunAsync(connection, settings, later, CancellationToken.None);
        Assert.NotEmpty(dropped);
        var left = await TimePartitions.ListAsync(connection, PartitionedTable.SeenEvents, CancellationToken.None);
        Assert.All(left, p => Assert.True(p.To > later - Window, $"{p.Name} outlived the window"));
        var firstKept = left[0].From;
        var stillInWindow = recent.Count(e => e.Timestamp.UtcDateTime >= firstKept);
        Assert.Equal(stillInWindow + old.Count, await CountAsync(connection, "SELECT count(*) FROM seen_events"));
        Assert.True(stillInWindow < recent.Count, "nothing left the window: the test proves nothing");
        Assert.True(stillInWindow > 0, "the whole live batch left the window: the test proves nothing");
    }

    private static List<TestEvent> Shift(List<TestEvent> events, DateTime start)
    {
        var by = start - TestTelemetry.Start.UtcDateTime;
        return [.. events.Select(e => e with { Timestamp = e.Timestamp + by })];
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
