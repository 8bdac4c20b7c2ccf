using MetricPipeline.Analysis.Decomposition;

namespace MetricPipeline.Analysis.Tests.Decomposition;

/// <summary>Bad STL input is refused with an <see cref="ArgumentException"/> that says what was wrong.</summary>
public sealed class StlValidationTests
{
    private static readonly double[] Series = Enumerable.Range(0, 100).Select(t => Math.Sin(t * 2 * Math.PI / 12) + (0.01 * t)).ToArray();

    [Theory]
    [InlineData(1, "at least 2")]
    [InlineData(0, "at least 2")]
    [InlineData(50, "more than two full periods")]
    [InlineData(60, "more than two full periods")]
    public void Stl_refuses_a_period_the_series_cannot_support(int period, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Stl.Decompose(Series, new StlOptions { Period = period, SeasonalWindow = 7 }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stl_accepts_just_over_two_periods_as_R_does()
    {
        var result = Stl.Decompose(Series, new StlOptions { Period = 49, SeasonalWindow = 7 });

        Assert.Equal(Series.Length, result.Trend.Length);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Stl_refuses_missing_or_infinite_values(double bad)
    {
        var y = (double[])Series.Clone();
        y[17] = bad;

        var error = Assert.Throws<ArgumentException>(() => Stl.Decompose(y, new StlOptions { Period = 12, SeasonalWindow = 7 }));

        Assert.Contains("y[17]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, 1, null, "seasonal degree")]
    [InlineData(0, 2, null, "trend degree")]
    [InlineData(0, 1, -1, "low-pass degree")]
    public void Stl_refuses_degrees_other_than_zero_or_one(int seasonalDegree, int trendDegree, int? lowPassDegree, string expected)
    {
        var options = new StlOptions { Period = 12, SeasonalWindow = 7, SeasonalDegree = seasonalDegree, TrendDegree = trendDegree, LowPassDegree = lowPassDegree };

        var error = Assert.Throws<ArgumentException>(() => Stl.Decompose(Series, options));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stl_refuses_a_zero_jump()
    {
        var error = Assert.Throws<ArgumentException>(() => Stl.Decompose(Series, new StlOptions { Period = 12, SeasonalWindow = 7, TrendJump = 0 }));

        Assert.Contains("trend jump", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stl_refuses_a_non_positive_window()
    {
        var error = Assert.Throws<ArgumentException>(() => Stl.Decompose(Series, new StlOptions { Period = 12, SeasonalWindow = 7, LowPassWindow = 0 }));

        Assert.Contains("low-pass window", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stl_refuses_zero_inner_iterations()
    {
        var error = Assert.Throws<ArgumentException>(() => Stl.Decompose(Series, new StlOptions { Period = 12, SeasonalWindow = 7, Inner = 0 }));

        Assert.Contains("inner iterations", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stl_refuses_output_buffers_shorter_than_the_series()
    {
        var parameters = Stl.Parameters(new StlOptions { Period = 12, SeasonalWindow = 7 }, Series.Length);
        var n = Series.Length;

        var error = Assert.Throws<ArgumentException>(() => Stl.Decompose(Series, parameters, new double[n], new double[n - 1], new double[n], new double[n]));

        Assert.Contains("trend buffer", error.Message, StringComparison.Ordinal);
    }
}
