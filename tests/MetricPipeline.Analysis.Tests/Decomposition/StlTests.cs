using MetricPipeline.Analysis.Decomposition;
using Xunit.Abstractions;

namespace MetricPipeline.Analysis.Tests.Decomposition;

/// <summary>
/// STL against R's <c>stats::stl</c> (or statsmodels for robust cases with even n, where R's median is inexact),
/// for every case of <c>reference/stl/manifest.json</c>.
/// Tolerance: max |ours − reference| ≤ 1e-9 · max(1, max|y|) for seasonal, trend and remainder; 1e-9 for weights.
/// </summary>
public sealed class StlTests(ITestOutputHelper output)
{
    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in StlReferenceCase.Cases.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Stl_with_every_parameter_given_matches_the_reference_of_record(string caseName)
    {
        var c = StlReferenceCase.Named(caseName);
        var y = c.Input();

        var result = Stl.Decompose(y, c.Effective);

        AssertMatches(c, y, result);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Stl_with_only_the_arguments_of_Rs_call_matches_the_reference_of_record(string caseName)
    {
        var c = StlReferenceCase.Named(caseName);
        var y = c.Input();

        var result = Stl.Decompose(y, c.OptionsAsInRCall());

        AssertMatches(c, y, result);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Default_parameters_are_the_ones_R_used(string caseName)
    {
        var c = StlReferenceCase.Named(caseName);

        var resolved = Stl.Parameters(c.OptionsAsInRCall(), c.Input().Length);

        Assert.Equal(c.Effective, resolved);
    }

    [Fact]
    public void Caller_buffers_receive_the_same_decomposition()
    {
        var c = StlReferenceCase.Named("synthetic_hourly_8w_swin7_robust");
        var y = c.Input();
        var expected = Stl.Decompose(y, c.Effective);
        var n = y.Length;
        var (s, t, r, w) = (new double[n], new double[n], new double[n], new double[n]);

        Stl.Decompose(y, c.Effective, s, t, r, w);

        Assert.Equal(expected.Seasonal, s);
        Assert.Equal(expected.Trend, t);
        Assert.Equal(expected.Remainder, r);
        Assert.Equal(expected.Weights, w);
    }

    [Fact]
    public void Caller_buffers_decomposition_does_not_allocate_once_warm()
    {
        var c = StlReferenceCase.Named("synthetic_hourly_8w_swin7");
        var y = c.Input();
        var n = y.Length;
        var (s, t, r, w) = (new double[n], new double[n], new double[n], new double[n]);
        Stl.Decompose(y, c.Effective, s, t, r, w);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Stl.Decompose(y, c.Effective, s, t, r, w);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    private void AssertMatches(StlReferenceCase c, double[] y, StlResult result)
    {
        var reference = ReferenceTable.Load(StlReferenceCase.PathOf(c.ReferenceFile));
        var tolerance = 1e-9 * Math.Max(1.0, y.Max(Math.Abs));
        // statsmodels' files print y with its last digit rounded differently; same series to 1e-14.
        Assert.InRange(ReferenceTable.MaxAbsDifference(y, reference["y"]), 0.0, 1e-14 * Math.Max(1.0, y.Max(Math.Abs)));
        var seasonal = ReferenceTable.MaxAbsDifference(result.Seasonal, reference["seasonal"]);
        var trend = ReferenceTable.MaxAbsDifference(result.Trend, reference["trend"]);
        var remainder = ReferenceTable.MaxAbsDifference(result.Remainder, reference["remainder"]);
        output.WriteLine($"{c.Name} vs {c.ReferenceFile}: max |diff| seasonal {seasonal:E2}, trend {trend:E2}, remainder {remainder:E2}; tolerance {tolerance:E2}");
        Assert.InRange(seasonal, 0.0, tolerance);
        Assert.InRange(trend, 0.0, tolerance);
        Assert.InRange(remainder, 0.0, tolerance);
        if (c.WeightsFile is { } weightsFile)
        {
            var weights = ReferenceTable.MaxAbsDifference(result.Weights, ReferenceTable.Load(StlReferenceCase.PathOf(weightsFile))["weight"]);
            output.WriteLine($"weights vs {weightsFile}: max |diff| {weights:E2}; tolerance 1E-009");
            Assert.InRange(weights, 0.0, 1e-9);
        }
        else
        {
            Assert.All(result.Weights, w => Assert.Equal(1.0, w));
        }
    }
}
