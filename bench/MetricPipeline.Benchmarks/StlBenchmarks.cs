using BenchmarkDotNet.Attributes;
using MetricPipeline.Analysis.Decomposition;

namespace MetricPipeline.Benchmarks;

/// <summary>
/// STL and MSTL of one 2,160-point hourly series (90 days), the configuration of the reference speed anchors in
/// <c>reference/perf</c>: period 24, s.window 7, otherwise R's defaults (t.window 47, l.window 25, jumps 1/5/3).
/// </summary>
[MemoryDiagnoser]
public class StlBenchmarks
{
    private const int Length = 2160;
    private double[] _y = [];
    private StlParameters _rDefaults = null!;
    private StlParameters _rDefaultsRobust = null!;
    private StlParameters _statsmodelsDefaults = null!;
    private double[] _seasonal = [];
    private double[] _trend = [];
    private double[] _remainder = [];
    private double[] _weights = [];

    [GlobalSetup]
    public void Setup()
    {
        _y = HourlySeries.Generate(Length, seed: 1234);
        _rDefaults = Stl.Parameters(new StlOptions { Period = 24, SeasonalWindow = 7 }, Length);
        _rDefaultsRobust = Stl.Parameters(new StlOptions { Period = 24, SeasonalWindow = 7, Robust = true }, Length);

        // statsmodels' own defaults for STL(period=24, seasonal=7): degrees 1/1/1, all jumps 1, inner 5, outer 0.
        _statsmodelsDefaults = Stl.Parameters(
            new StlOptions { Period = 24, SeasonalWindow = 7, SeasonalDegree = 1, SeasonalJump = 1, TrendJump = 1, LowPassJump = 1, Inner = 5, Outer = 0 },
            Length);
        _seasonal = new double[Length];
        _trend = new double[Length];
        _remainder = new double[Length];
        _weights = new double[Length];
    }

    [Benchmark(Baseline = true, Description = "STL, R defaults (s.window 7)")]
    public StlResult StlRDefaults() => Stl.Decompose(_y, new StlOptions { Period = 24, SeasonalWindow = 7 });

    [Benchmark(Description = "STL, R defaults, caller's buffers")]
    public double StlRDefaultsIntoBuffers()
    {
        Stl.Decompose(_y, _rDefaults, _seasonal, _trend, _remainder, _weights);
        return _trend[0];
    }

    [Benchmark(Description = "STL, R defaults, robust (inner 1, outer 15)")]
    public double StlRobust()
    {
        Stl.Decompose(_y, _rDefaultsRobust, _seasonal, _trend, _remainder, _weights);
        return _trend[0];
    }

    [Benchmark(Description = "STL, statsmodels' default parameters (degrees 1, jumps 1, inner 5)")]
    public double StlStatsmodelsDefaults()
    {
        Stl.Decompose(_y, _statsmodelsDefaults, _seasonal, _trend, _remainder, _weights);
        return _trend[0];
    }

    [Benchmark(Description = "MSTL (24, 168), forecast::mstl defaults")]
    public MstlResult Mstl24And168() => Mstl.Decompose(_y, [24, 168]);
}
