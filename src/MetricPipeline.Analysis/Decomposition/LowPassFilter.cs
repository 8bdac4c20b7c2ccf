namespace MetricPipeline.Analysis.Decomposition;

/// <summary>
/// STL's low-pass filter of the extended cycle-subseries: moving averages of length p, p and 3
/// (which turn n + 2p points into n), followed by a LOESS.
/// </summary>
internal static class LowPassFilter
{
    /// <summary>
    /// low-pass = LOESS_{window, degree, jump}(MA₃(MA_p(MA_p(<paramref name="extended"/>)))), written into
    /// <paramref name="lowPass"/> (length n = |extended| − 2p).
    /// </summary>
    public static void Apply(
        ReadOnlySpan<double> extended,
        int period,
        int window,
        int degree,
        int jump,
        Span<double> lowPass,
        Span<double> first,
        Span<double> second,
        Span<double> w)
    {
        var n = extended.Length - (2 * period);
        var afterFirst = first[..(extended.Length - period + 1)];
        MovingAverage(extended, period, afterFirst);
        var afterSecond = second[..(afterFirst.Length - period + 1)];
        MovingAverage(afterFirst, period, afterSecond);
        var averaged = first[..n];
        MovingAverage(afterSecond, 3, averaged);
        Loess.Smooth(averaged, window, degree, jump, ReadOnlySpan<double>.Empty, lowPass, w);
    }

    /// <summary>average[i] = (x[i] + … + x[i + len − 1]) / len, as a running sum.</summary>
    public static void MovingAverage(ReadOnlySpan<double> x, int len, Span<double> average)
    {
        var count = x.Length - len + 1;
        double length = len;
        var sum = 0.0;
        for (var i = 0; i < len; i++)
        {
            sum += x[i];
        }

        average[0] = sum / length;
        for (var j = 1; j < count; j++)
        {
            sum = sum - x[j - 1] + x[j + len - 1];
            average[j] = sum / length;
        }
    }
}
