namespace MetricPipeline.Data;

/// <summary>Null points of a series (a ratio with no denominator) made usable for the numerics.</summary>
public static class SeriesGaps
{
    /// <summary>
    /// Values with each run of nulls replaced by the straight line between its neighbours; a leading run takes the
    /// first value, a trailing run the last; a series with no value at all is zeros.
    /// </summary>
    public static double[] Bridge(IReadOnlyList<SeriesPoint> points)
    {
        var y = new double[points.Count];
        var last = -1;
        for (var i = 0; i < points.Count; i++)
        {
            if (points[i].Value is not { } v)
            {
                continue;
            }

            y[i] = v;
            for (var j = last + 1; j < i; j++)
            {
                y[j] = last < 0 ? v : y[last] + ((v - y[last]) * (j - last) / (i - last));
            }

            last = i;
        }

        for (var j = last + 1; j < y.Length; j++)
        {
            y[j] = last < 0 ? 0 : y[last];
        }

        return y;
    }
}
