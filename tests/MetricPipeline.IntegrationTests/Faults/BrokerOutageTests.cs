using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using MetricPipeline.IntegrationTests.Infrastructure;
using MetricPipeline.IntegrationTests.Pipeline;
using Xunit.Abstractions;

namespace MetricPipeline.IntegrationTests.Faults;

/// <summary>
/// RabbitMQ stopped for 10 s while a client streams events, the way an operations team would see it: ingest fails
/// fast with 503 and Retry-After, /readyz says not ready, and once the broker is back every event that got a 202 is
/// counted exactly once. The broker is a private node started by the test (the shared one is never touched).
/// </summary>
public sealed class BrokerOutageTests(PipelineEnvironment environment, ITestOutputHelper output) : IClassFixture<PipelineEnvironment>
{
    private static readonly DateTime Hour = new(2026, 10, 6, 14, 0, 0, DateTimeKind.Utc);

    private sealed record Attempt(DateTime At, HttpStatusCode Status, TimeSpan Took, bool HasRetryAfter);

    [Fact]
    public async Task Broker_stopped_for_10_s_answers_503_fast_is_not_ready_and_loses_or_doubles_nothing()
    {
        Assert.True(PrivateRabbitMq.IsInstalled, "this test starts its own RabbitMQ node from Debian's rabbitmq-server (deploy/local-services.sh installs it)");
        await using var broker = await PrivateRabbitMq.StartAsync();
        var server = await environment.StartServerAsync("all", new Dictionary<string, string>
        {
            ["ConnectionStrings__RabbitMq"] = broker.AmqpUri.ToString(),
        });
        var api = new PipelineApi(server);
        await api.ApplyRegistryAsync(TestTelemetry.RegistryJson);

        var attempts = new ConcurrentQueue<Attempt>();
        var accepted = new ConcurrentDictionary<Guid, bool>();
        var readiness = new ConcurrentQueue<(DateTime At, HttpStatusCode Status)>();
        using var stop = new CancellationTokenSource();
        var stream = StreamAsync(server, attempts, accepted, stop.Token);
        var watch = WatchReadinessAsync(server, readiness, stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(3));
        broker.Stop();
        var downAt = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(10));
        var upAt = DateTime.UtcNow;
        await broker.StartAgainAsync();
        await Task.Delay(TimeSpan.FromSeconds(8));
        await stop.CancelAsync();
        var sent = await stream;
        await watch;

        // While it was down (after the client's first failure): 503s with Retry-After, each within 5 s.
        var duringOutage = attempts.Where(a => a.At >= downAt && a.At + a.Took <= upAt).ToList();
        var unavailable = duringOutage.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
        var notReady = readiness.Where(r => r.At > downAt && r.At < upAt).GroupBy(r => r.Status).Select(g => $"{(int)g.Key}×{g.Count()}");
        output.WriteLine($"during the outage: {unavailable.Count} × 503 (slowest {unavailable.Select(a => a.Took.TotalSeconds).DefaultIfEmpty().Max():0.00} s), " +
            $"{duringOutage.Count(a => a.Status == HttpStatusCode.Accepted)} × 202; /readyz: {string.Join(", ", notReady)}; events sent {sent}");
        Assert.True(unavailable.Count >= 1, $"expected 503s while the broker was down; saw {string.Join(", ", duringOutage.Select(a => (int)a.Status))}");
        Assert.All(unavailable, a => Assert.True(a.Took < TimeSpan.FromSeconds(5), $"a 503 took {a.Took.TotalSeconds:0.0} s"));
        Assert.All(unavailable, a => Assert.True(a.HasRetryAfter, "a 503 without Retry-After"));
        Assert.DoesNotContain(duringOutage, a => a.Status == HttpStatusCode.Accepted);
        Assert.DoesNotContain(attempts, a => (int)a.Status >= 500 && a.Status != HttpStatusCode.ServiceUnavailable);
        Assert.Contains(readiness, r => r.At > downAt && r.At < upAt && r.Status != HttpStatusCode.OK);
        Assert.Contains(attempts, a => a.At > upAt && a.Status == HttpStatusCode.Accepted);

        // Every event sent was eventually accepted (the client re-sends each 503'd batch) and is counted once.
        Assert.Equal(sent, accepted.Count);
        await api.WaitForTotalAsync("shown", accepted.Count, Hour, Hour.AddHours(1), TimeSpan.FromSeconds(90));
        await Task.Delay(2_000);
        Assert.Equal(accepted.Count, (await api.SegmentTotalsAsync("shown", Hour, Hour.AddHours(1)))[""]);
    }

    /// <summary>Sends batches of 20 new events until stopped; a batch answered 503 is sent again, same ids, after Retry-After (capped at 0.5 s here).</summary>
    private static async Task<int> StreamAsync(ServerProcess server, ConcurrentQueue<Attempt> attempts, ConcurrentDictionary<Guid, bool> accepted, CancellationToken stop)
    {
        using var client = server.Client(PipelineEnvironment.IngestKey);
        client.Timeout = TimeSpan.FromSeconds(30);
        var random = new Random(11);
        var sent = 0;
        while (!stop.IsCancellationRequested)
        {
            var ids = Enumerable.Range(0, 20).Select(_ => TestTelemetry.NewGuid(random)).ToList();
            sent += ids.Count;
            var body = "[" + string.Join(",", ids.Select(id =>
                $$$"""{"id":"{{{id}}}","product":"app","name":"suggestion_shown","timestamp":"{{{PipelineApi.Iso(Hour.AddMinutes(30))}}}","properties":{"plan":"pro"}}""")) + "]";
            while (true)
            {
                var at = DateTime.UtcNow;
                var timer = Stopwatch.StartNew();
                using var response = await client.PostAsync("v1/events", new StringContent(body, Encoding.UTF8, "application/json"), CancellationToken.None);
                attempts.Enqueue(new Attempt(at, response.StatusCode, timer.Elapsed, response.Headers.RetryAfter is not null));
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    ids.ForEach(id => accepted.TryAdd(id, true));
                    break;
                }

                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(500, (response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1)).TotalMilliseconds)), CancellationToken.None);
            }

            await Task.Delay(100, CancellationToken.None);
        }

        return sent;
    }

    private static async Task WatchReadinessAsync(ServerProcess server, ConcurrentQueue<(DateTime, HttpStatusCode)> readiness, CancellationToken stop)
    {
        using var client = server.Client();
        client.Timeout = TimeSpan.FromSeconds(5);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync("readyz", CancellationToken.None);
                readiness.Enqueue((DateTime.UtcNow, response.StatusCode));
            }
            catch (TaskCanceledException)
            {
                readiness.Enqueue((DateTime.UtcNow, HttpStatusCode.RequestTimeout));
            }

            await Task.Delay(250, CancellationToken.None);
        }
    }
}
