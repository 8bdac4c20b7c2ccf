using MetricPipeline.Analysis.Decomposition;
using MetricPipeline.Data;
using MetricPipeline.Registry;

namespace MetricPipeline.Api;

/// <summary>Trend, seasonal and remainder of a history series, aligned with its points.</summary>
public sealed record SeriesComponents(double?[] Trend, double?[] Seasonal, double?[] Remainder);

/// <summary>
/// Decomposes a history for display: STL with the grain's natural cycle (24 h, 7 d), MSTL with daily and
/// weekly cycles for hourly series long enough to hold two weeks. Null values (ratios with no
/// denominator) are bridged linearly for the fit and reported as null; the empty lead-in before the first value has no
/// fit. Too short a series has no
/// decomposition (all null).
/// </summary>
public static class SeriesDecomposition
{
    public static SeriesComponents Of(IReadOnlyList<SeriesPoint> points, Grain grain)
    {
        var empty = new SeriesComponents(new double?[points.Count], new double?[points.Count], new double?[points.Count]);
        // The empty lead-in before a metric's first data is not a level of zero: the fit starts at the first value.
        var first = 0;
        while (first < points.Count && points[first].Value is null or 0)
        {
            first++;
        }

        var shown = points.Skip(first).ToList();
        var n = shown.Count;
        var period = grain switch { Grain.Hour => 24, Grain.Day => 7, _ => 0 };
        if (period == 0 || n < 2 * period)
        {
            return empty;
        }

        var y = SeriesGaps.Bridge(shown);
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
            if (shown[i].Value is { } v)
            {
                empty.Trend[first + i] = trend[i];
                empty.Seasonal[first + i] = seasonal[i];
                empty.Remainder[first + i] = v - trend[i] - seasonal[i];
            }
        }

        return empty;
    }
}
