using MassTransit;
using MetricPipeline.Contracts;
using MetricPipeline.IntegrationTests.Infrastructure;
using Npgsql;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>
/// An event that reaches the worker although PostgreSQL will refuse it (sent straight to the broker, past ingest's
/// checks) is parked with its reason; the good events of the same message are counted once.
/// </summary>
public sealed class ParkedEventTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    [Fact]
    public async Task An_event_the_database_refuses_is_parked_with_its_reason_and_its_neighbours_are_counted_once()
    {
        var server = await environment.StartServerAsync("all");
        var api = new PipelineApi(server);
        await api.ApplyRegistryAsync(TestTelemetry.RegistryJson);

        var hour = new DateTimeOffset(2026, 10, 5, 9, 0, 0, TimeSpan.Zero);
        TelemetryEvent Shown(string plan) => new(Guid.NewGuid(), "app", "suggestion_shown", hour.AddMinutes(5), "u1", 1, new Dictionary<string, string> { ["plan"] = plan });
        var random = new Random(7);
        var incompressible = string.Concat(Enumerable.Range(0, 1024).Select(_ => (char)random.Next(0x4E00, 0x9FFF)));
        var withNul = Shown("pro\u0000");
        var tooBigForAnIndex = Shown(incompressible);
        var good = new[] { Shown("free"), Shown("pro"), Shown("team") };

        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(environment.RabbitMqUri)));
        await bus.StartAsync();
        try
        {
            await bus.Publish(EventsAccepted.Of(Guid.NewGuid(), DateTimeOffset.UtcNow, [good[0], withNul, good[1], tooBigForAnIndex, good[2]]));
        }
        finally
        {
            await bus.StopAsync();
        }

        var from = hour.UtcDateTime;
        await api.WaitForTotalAsync("shown", 3, from, from.AddHours(1), TimeSpan.FromSeconds(60));

        var parked = await ParkedAsync();
        Assert.Equal(2, parked.Count);
        Assert.Contains("22021", parked[withNul.Id], StringComparison.Ordinal);
        Assert.Contains("54000", parked[tooBigForAnIndex.Id], StringComparison.Ordinal);
        Assert.Contains($"Parked event {withNul.Id}", server.Log, StringComparison.Ordinal);

        await Task.Delay(1_500);
        Assert.Equal(3, (await api.SegmentTotalsAsync("shown", from, from.AddHours(1)))[""]);
    }

    private async Task<Dictionary<Guid, string>> ParkedAsync()
    {
        await using var connection = new NpgsqlConnection(environment.PostgresConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT event_id, reason FROM parked_events", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new Dictionary<Guid, string>();
        while (await reader.ReadAsync())
        {
            rows[reader.GetGuid(0)] = reader.GetString(1);
        }

        return rows;
    }
}
