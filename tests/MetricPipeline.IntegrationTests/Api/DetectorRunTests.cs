using System.Net;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;
using static MetricPipeline.IntegrationTests.Detection.DetectionScenario;

namespace MetricPipeline.IntegrationTests.Api;

/// <summary>
/// <c>POST /v1/detector/run</c> on a process without the detector role: it does not run the pass itself. With no
/// detector on the bus it says so at once (503, what to start); with a detector process beside it, that process runs
/// the pass and the answer names it.
/// </summary>
public sealed class DetectorRunTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    [Fact]
    public async Task The_api_asks_a_detector_over_the_bus_and_says_so_when_there_is_none()
    {
        var api = await environment.StartServerAsync("ingest,worker,api");
        using var admin = api.Client(PipelineEnvironment.AdminKey);
        await ApplyRegistryAsync(admin, Metric("run_tasks", "north_star", "run", "run_task"));

        var started = DateTime.UtcNow;
        using (var none = await admin.PostAsync("v1/detector/run", null))
        {
            Assert.True(none.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)none.StatusCode}: {await none.Content.ReadAsStringAsync()}\n{api.Log}");
            Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await none.Content.ReadAsStringAsync());
            Assert.Contains("detector role", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), "the refusal should not wait for a timeout");
        }

        var detector = await environment.StartServerAsync("detector", new Dictionary<string, string> { ["Detector__Enabled"] = "false" });
        var ran = await RunPassAsync(admin, new DateTime(2026, 11, 16, 12, 0, 0, DateTimeKind.Utc));
        Assert.EndsWith($"-{detector.ProcessId}", ran.GetProperty("instance").GetString(), StringComparison.Ordinal);
        Assert.True(ran.GetProperty("run").GetInt64() > 0);
        Assert.Equal(0, ran.GetProperty("alertsOpened").GetInt32());
    }
}
