using MetricPipeline.Analysis.Decomposition;
using MetricPipeline.Data;
using MetricPipeline.Registry;

namespace MetricPipeline.Api;

/// <summary>Trend, seasonal and remainder of a history series, aligned with its points.</summary>
public sealed record SeriesComponents(double?[] Trend, double?[] Seasonal, double?[] Remainder);

/// <summary>
/// Decomposes a history for display: STL with the grain's natural cycle (24 h, 7 d), MSTL with daily and
/// weekly cycles for hourly series long enough to hold two weeks. Null values (ratios with no
/// denominator) are bridged linearly for the fit and reported as null. Too short a series has no
/// decomposition (all null).
/// </summary>
public static class SeriesDecomposition
{
    public static SeriesComponents Of(IReadOnlyList<SeriesPoint> points, Grain grain)
    {
        var n = points.Count;
        var empty = new SeriesComponents(new double?[n], new double?[n], new double?[n]);
        var period = grain switch { Grain.Hour => 24, Grain.Day => 7, _ => 0 };
        if (period == 0 || n < 2 * period || points.All(p => p.Value is null))
        {
            return empty;
        }

        var y = SeriesGaps.Bridge(points);
        double[] trend, seasonal;
        if (grain == Grain.Hour && n >= 2 * 168)
        {
            var fit = Mstl.Decompose(y, [24, 168]);
            trend = fit.Trend;
            seasonal = new double[n];
            foreach (var s in fit.Seasonals)
            {
                for (var i = 0; i < n; i++)
                {
                    seasonal[i] += s[i];
                }
            }
        }
        else
        {
            var fit = Stl.Decompose(y, new StlOptions { Period = period, SeasonalWindow = 7 });
            (trend, seasonal) = (fit.Trend, fit.Seasonal);
        }

        for (var i = 0; i < n; i++)
        {
            if (points[i].Value is { } v)
            {
                empty.Trend[i] = trend[i];
                empty.Seasonal[i] = seasonal[i];
                empty.Remainder[i] = v - trend[i] - seasonal[i];
            }
        }

        return empty;
    }
}
