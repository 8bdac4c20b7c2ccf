using System.Text.Json;
using MetricPipeline.Analysis.Decomposition;
using Xunit.Abstractions;

namespace MetricPipeline.Analysis.Tests.Decomposition;

/// <summary>
/// MSTL against R's <c>forecast::mstl</c> (forecast 8.20) on <c>mstl_synthetic_hourly_8w</c>.
/// Tolerance: max |ours − R| ≤ 1e-6 · range(y) for trend, each seasonal and the remainder.
/// </summary>
public sealed class MstlTests(ITestOutputHelper output)
{
    [Fact]
    public void Mstl_with_forecast_defaults_matches_R_on_the_synthetic_hourly_series()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(StlReferenceCase.PathOf("manifest.json")));
        var mstl = manifest.RootElement.GetProperty("mstl")[0];
        var files = mstl.GetProperty("files");
        var periods = mstl.GetProperty("periods").EnumerateArray().Select(p => p.GetInt32()).ToArray();
        var y = ReferenceTable.Load(StlReferenceCase.PathOf(files.GetProperty("input").GetString()!))["y"];
        var reference = ReferenceTable.Load(StlReferenceCase.PathOf(files.GetProperty("r").GetString()!));
        var tolerance = 1e-6 * (y.Max() - y.Min());

        var result = Mstl.Decompose(y, periods);

        Assert.Equal(periods.Order(), result.Periods);
        AssertClose("trend", result.Trend, reference["trend"], tolerance);
        for (var i = 0; i < periods.Length; i++)
        {
            var column = $"seasonal{result.Periods[i]}";
            AssertClose(column, result.Seasonals[i], reference[column], tolerance);
        }

        AssertClose("remainder", result.Remainder, reference["remainder"], tolerance);
    }

    private void AssertClose(string component, double[] actual, double[] expected, double tolerance)
    {
        var difference = ReferenceTable.MaxAbsDifference(actual, expected);
        output.WriteLine($"{component}: max |diff| {difference:E2}; tolerance {tolerance:E2}");
        Assert.InRange(difference, 0.0, tolerance);
    }

    [Fact]
    public void Mstl_sorts_the_periods_and_drops_those_without_two_full_cycles()
    {
        var y = StlReferenceCase.Named("synthetic_hourly_8w_swin7").Input();

        var result = Mstl.Decompose(y, [168, 24, 672]);

        // 2·672 = 1344 = n: forecast::mstl keeps only periods with p < n/2.
        Assert.Equal([24, 168], result.Periods);
        Assert.Equal(2, result.Seasonals.Count);
    }

    [Fact]
    public void Mstl_components_add_up_to_the_series()
    {
        var y = StlReferenceCase.Named("synthetic_hourly_8w_swin7").Input();

        var result = Mstl.Decompose(y, [24, 168]);

        for (var t = 0; t < y.Length; t++)
        {
            Assert.Equal(y[t], result.Trend[t] + result.Seasonals[0][t] + result.Seasonals[1][t] + result.Remainder[t], 1e-9);
        }
    }

    [Fact]
    public void Explicit_forecast_default_windows_give_the_default_decomposition()
    {
        var y = StlReferenceCase.Named("synthetic_hourly_8w_swin7").Input();
        var defaults = Mstl.Decompose(y, [24, 168]);

        var explicitWindows = Mstl.Decompose(y, [24, 168], new MstlOptions { Iterations = 2, SeasonalWindows = [11, 15] });

        Assert.Equal(defaults.Trend, explicitWindows.Trend);
        Assert.Equal(defaults.Seasonals[1], explicitWindows.Seasonals[1]);
    }

    [Fact]
    public void Mstl_refuses_a_window_list_that_does_not_fit_the_periods()
    {
        var y = StlReferenceCase.Named("synthetic_hourly_8w_swin7").Input();

        var error = Assert.Throws<ArgumentException>(() => Mstl.Decompose(y, [12, 24, 168], new MstlOptions { SeasonalWindows = [11, 15] }));

        Assert.Contains("one per period", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mstl_refuses_a_series_too_short_for_every_period()
    {
        var y = StlReferenceCase.Named("synthetic_hourly_8w_swin7").Input()[..300];

        var error = Assert.Throws<ArgumentException>(() => Mstl.Decompose(y, [168, 336]));

        Assert.Contains("two full cycles", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mstl_refuses_a_period_below_two()
    {
        var y = StlReferenceCase.Named("synthetic_hourly_8w_swin7").Input();

        var error = Assert.Throws<ArgumentException>(() => Mstl.Decompose(y, [1, 24]));

        Assert.Contains("at least 2", error.Message, StringComparison.Ordinal);
    }
}
