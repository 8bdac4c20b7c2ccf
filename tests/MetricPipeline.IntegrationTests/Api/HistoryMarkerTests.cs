using System.Text.Json;
using MetricPipeline.Analysis.Detection;
using MetricPipeline.Data;
using MetricPipeline.Detection;
using MetricPipeline.IntegrationTests.Detection;
using MetricPipeline.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit.Abstractions;
using static MetricPipeline.IntegrationTests.Detection.DetectionScenario;

namespace MetricPipeline.IntegrationTests.Api;

/// <summary>
/// The change points and anomalies of the history endpoint are the detector's own: after two passes, a chart of the
/// range shows exactly what the live detector found in each series as those passes read it (the later pass's findings
/// for the buckets it tested, the earlier pass's before them), and the alert the drop opened sits on its change point.
/// </summary>
public sealed class HistoryMarkerTests(PipelineEnvironment environment, ITestOutputHelper output) : IClassFixture<PipelineEnvironment>
{
    private static readonly DateTime AsOf = new(2026, 11, 16, 12, 0, 0, DateTimeKind.Utc);
    private const int Hours = 21 * 24;

    private sealed record Marker(DateTime T, string Kind, double Relative);

    [Fact]
    public async Task The_chart_shows_the_findings_of_the_passes_that_tested_each_time()
    {
        var server = await environment.StartServerAsync("all", new Dictionary<string, string> { ["Detector__Enabled"] = "false" });
        using var admin = server.Client(PipelineEnvironment.AdminKey);
        using var ingest = server.Client(PipelineEnvironment.IngestKey);
        using var reader = server.Client();

        await ApplyRegistryAsync(admin, Metric("chart_tasks", "north_star", "chart", "chart_task_completed"));
        var dropAt = AsOf.AddHours(-12).AddMinutes(20);
        var series = new Series[] { new("chart_tasks", "chart", "chart_task_completed", new Dictionary<string, double> { ["free"] = 600, ["pro"] = 400 }) };
        LevelChange[] changes = [new("chart_tasks", "free", dropAt, 0.6), new("chart_tasks", "pro", dropAt, 0.6)];
        await IngestAsync(ingest, reader, series, Generate(series, AsOf, Hours, changes, seed: 7), AsOf, Hours);

        var earlierPass = AsOf.AddDays(-4).AddMinutes(10);
        var laterPass = AsOf.AddMinutes(10);
        await RunPassAsync(admin, earlierPass);
        var from = AsOf.AddDays(-14);
        var before = await ChartAsync(reader, "", from, AsOf);
        await RunPassAsync(admin, laterPass);

        foreach (var segment in new[] { "", "plan=free" })
        {
            var expected = await DetectorFindingsAsync(segment, [earlierPass, laterPass], from, AsOf);
            output.WriteLine($"[{segment}] detector: {string.Join("; ", expected)}");

            // An answer is sent unchanged for History:FreshFor (1 s) after it was read: the new pass shows after that.
            var chart = new List<Marker>();
            await WaitUntilAsync(async () => (chart = await ChartAsync(reader, segment, from, AsOf)).SequenceEqual(expected), TimeSpan.FromSeconds(10));
            output.WriteLine($"[{segment}] chart:    {string.Join("; ", chart)}");
            Assert.Contains(chart, m => m.Kind is "level_shift" or "outage" && m.T == dropAt.AddMinutes(-20) && m.Relative < -0.3);
        }

        // The answer before the later pass was cached; the new pass's findings replaced it.
        Assert.DoesNotContain(before, m => m.T >= dropAt.AddHours(-1));

        var alert = Assert.Single(await AlertsAsync(reader), a => a.GetProperty("metric").GetString() == "chart_tasks" && a.GetProperty("segment").GetString() == "");
        var onChart = await ChartAsync(reader, "", from, AsOf);
        Assert.Contains(onChart, m => m.T == alert.GetProperty("changeAt").GetDateTime().ToUniversalTime());
    }

    /// <summary>Change points and anomalies of the chart, in time order.</summary>
    private static async Task<List<Marker>> ChartAsync(HttpClient reader, string segment, DateTime from, DateTime to)
    {
        var query = $"v1/metrics/chart_tasks/series?from={Iso(from)}&to={Iso(to)}&include=changepoints,anomalies"
            + (segment.Length > 0 ? "&segment=" + Uri.EscapeDataString(segment.Replace('=', ':')) : "");
        using var json = JsonDocument.Parse(await reader.GetStringAsync(query));
        var root = json.RootElement;
        return [.. root.GetProperty("changePoints").EnumerateArray()
                .Select(c => new Marker(c.GetProperty("t").GetDateTime().ToUniversalTime(), c.GetProperty("kind").GetString()!, c.GetProperty("relativeChange").GetDouble()))
            .Concat(root.GetProperty("anomalies").EnumerateArray()
                .Select(a => new Marker(a.GetProperty("t").GetDateTime().ToUniversalTime(), a.GetProperty("kind").GetString()!, (a.GetProperty("value").GetDouble() / a.GetProperty("expected").GetDouble()) - 1)))
            .OrderBy(m => m.T)];
    }

    /// <summary>
    /// What the live detector finds when called here the way a pass calls it, for each pass in turn: each pass's findings
    /// replace those of earlier passes from the first bucket it tested on.
    /// </summary>
    private async Task<List<Marker>> DetectorFindingsAsync(string segment, DateTime[] passes, DateTime from, DateTime to)
    {
        await using var dataSource = NpgsqlDataSource.Create(environment.PostgresConnectionString);
        await using var db = new MetricPipelineDbContext(new DbContextOptionsBuilder<MetricPipelineDbContext>().UseNpgsql(dataSource).Options);
        var registry = await new MetricStore(db).AllAsync(CancellationToken.None);
        var metric = registry.Single(m => m.Key == "chart_tasks");
        var settings = new DetectorOptions();
        var found = new List<(Marker Marker, double Observed, double Expected)>();
        foreach (var asOf in passes)
        {
            var series = await NodeSeries.ReadAsync(new SeriesReader(dataSource), metric, k => registry.Find(m => m.Key == k), segment, asOf - settings.SettleDelay, settings, CancellationToken.None);
            Assert.NotNull(series);
            var live = LiveDetector.Detect(series.Values, AnalysedSeries.LayoutFor(series), AnalysedSeries.OptionsFor(metric, settings));
            found.RemoveAll(f => f.Marker.T >= series.Times[live.TestStart]);
            found.AddRange(live.Findings.Select(f => (new Marker(series.Times[f.Start], DetectionPass.KindName(f.Kind), f.Relative), f.Observed, f.Expected)));
        }

        // Anomalies carry the observed and expected means; the chart's relative change of one is their ratio.
        return [.. found
            .Where(f => f.Marker.T >= from && f.Marker.T < to)
            .Select(f => f.Marker.Kind is "dip" or "spike" ? f.Marker with { Relative = (f.Observed / f.Expected) - 1 } : f.Marker)
            .OrderBy(m => m.T)];
    }
}
