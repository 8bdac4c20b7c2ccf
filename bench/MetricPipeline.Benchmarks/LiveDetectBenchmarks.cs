using BenchmarkDotNet.Attributes;
using MetricPipeline.Analysis.Detection;
using MetricPipeline.Analysis.Evaluation;

namespace MetricPipeline.Benchmarks;

/// <summary>
/// The live detector as a pass runs it on one hourly series: four weeks (672 points, the pass's window), learning,
/// the out-of-sample check and the scan of the newest 72 hours. A pass over N series costs about N times this plus
/// the reads.
/// </summary>
[MemoryDiagnoser]
public class LiveDetectBenchmarks
{
    private static readonly LiveDetectorOptions Counts = new() { Multiplicative = true, CountLike = true };
    private LiveScenario scenario = null!;

    [GlobalSetup]
    public void Setup() => scenario = LiveScenarioGenerator.Generate(7, 672, [new LiveEvent(LiveEventKind.Shift, 650.5, 0.85)]);

    [Benchmark]
    public LiveDetection Live_detect_4_weeks_hourly() => LiveDetector.Detect(scenario.Y, SeasonalLayout.Hourly(scenario.Start), Counts);
}
