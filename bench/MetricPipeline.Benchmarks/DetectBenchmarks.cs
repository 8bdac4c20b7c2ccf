using BenchmarkDotNet.Attributes;
using MetricPipeline.Analysis.Detection;
using MetricPipeline.Analysis.Evaluation;

namespace MetricPipeline.Benchmarks;

/// <summary>The full per-series detector on 90 days of hourly counts (2,160 points), one seeded series with level shifts and spikes.</summary>
[MemoryDiagnoser]
public class DetectBenchmarks
{
    private static readonly int[] Daily = [24];
    private static readonly int[] DailyAndWeekly = [24, 168];
    private double[] series = [];

    [GlobalSetup]
    public void Setup() => series = ProductSeriesGenerator.Generate(seed: 7).Y;

    [Benchmark(Baseline = true)]
    public SeriesDetection Detect_period_24() => SeriesDetector.Detect(series, Daily);

    [Benchmark]
    public SeriesDetection Detect_periods_24_168() => SeriesDetector.Detect(series, DailyAndWeekly);
}
