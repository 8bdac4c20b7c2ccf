using System.Collections.Concurrent;
using System.Text;
using MetricPipeline.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static MetricPipeline.IntegrationTests.Detection.DetectionScenario;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, the server exports over OTLP/HTTP to a collector stand-in on
/// 127.0.0.1: traces of the ingest request, the rollup's consume and a detection pass, and the ingest and rollup
/// metrics. (The protobuf payloads carry span and metric names as UTF-8 strings, which is what is checked.)
/// </summary>
public sealed class OpenTelemetryExportTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    [Fact]
    public async Task Ingest_rollup_and_a_pass_are_traced_and_counted_over_otlp()
    {
        await using var collector = await OtlpCollector.StartAsync();
        var server = await environment.StartServerAsync("all", new Dictionary<string, string>
        {
            ["Detector__Enabled"] = "false",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseUrl.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        using var admin = server.Client(PipelineEnvironment.AdminKey);
        using var ingest = server.Client(PipelineEnvironment.IngestKey);
        using var reader = server.Client();
        await ApplyRegistryAsync(admin, Metric("otel_tasks", "north_star", "otel", "otel_task"));
        var end = new DateTime(2026, 11, 16, 0, 0, 0, DateTimeKind.Utc);
        var series = new Series[] { new("otel_tasks", "otel", "otel_task", new Dictionary<string, double> { ["free"] = 100 }) };
        await IngestAsync(ingest, reader, series, Generate(series, end, 48, [], seed: 3), end, 48);
        await RunPassAsync(admin, end);

        await WaitUntilAsync(
            () => Task.FromResult(
                collector.Received("/v1/traces", "POST /v1/events") && collector.Received("/v1/traces", "EventsAccepted")
                && collector.Received("/v1/traces", "detection pass") && collector.Received("/v1/traces", "metricpipeline")
                && collector.Received("/v1/metrics", "events_accepted") && collector.Received("/v1/metrics", "events_counted")
                && collector.Received("/v1/metrics", "detection_pass_duration")),
            TimeSpan.FromSeconds(30));
    }

    /// <summary>An OTLP/HTTP collector stand-in: answers 200 to every export and keeps the bodies per path.</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication app;
        private readonly ConcurrentQueue<(string Path, string Body)> bodies = new();

        private OtlpCollector(WebApplication app) => this.app = app;

        public Uri BaseUrl { get; private set; } = null!;

        public static async Task<OtlpCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var collector = new OtlpCollector(app);
            app.Run(async context =>
            {
                using var copy = new MemoryStream();
                await context.Request.Body.CopyToAsync(copy);
                // Protobuf: names are length-prefixed UTF-8 strings; Latin-1 keeps every byte, so a search finds them.
                collector.bodies.Enqueue((context.Request.Path, Encoding.Latin1.GetString(copy.ToArray())));
                context.Response.StatusCode = StatusCodes.Status200OK;
            });
            await app.StartAsync();
            collector.BaseUrl = new Uri(app.Urls.First());
            return collector;
        }

        public bool Received(string path, string text) => bodies.Any(b => b.Path == path && b.Body.Contains(text, StringComparison.Ordinal));

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
