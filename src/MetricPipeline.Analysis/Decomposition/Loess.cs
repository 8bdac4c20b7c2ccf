namespace MetricPipeline.Analysis.Decomposition;

/// <summary>
/// The LOESS smoother of STL (Cleveland et al. 1990): a local fit of degree 0 or 1 with tricube
/// weights over a window of <c>len</c> neighbours, optionally multiplied by robustness weights,
/// evaluated every <c>jump</c> points with linear interpolation in between.
/// </summary>
/// <remarks>
/// Positions are the 1-based abscissae 1..n of the netlib code, so that the sums that decide
/// rounding are formed from the same numbers as in R's Fortran.
/// </remarks>
internal static class Loess
{
    /// <summary>
    /// Fitted value at abscissa <paramref name="xs"/> from the points <paramref name="nleft"/>..<paramref name="nright"/> (1-based).
    /// With h = max(xs − nleft, nright − xs) (+ (len − n) / 2 when the window is longer than the series),
    /// w_j = (1 − (|j − xs| / h)³)³, set to 1 when |j − xs| ≤ 0.001·h and to 0 when |j − xs| > 0.999·h, times the
    /// robustness weight. Degree 1 adds the slope term when √Σw(j − ā)² &gt; 0.001·(n − 1).
    /// </summary>
    /// <returns>False when all weights are zero (the caller then keeps a neighbouring value).</returns>
    public static bool Estimate(
        ReadOnlySpan<double> y,
        int len,
        int degree,
        double xs,
        int nleft,
        int nright,
        Span<double> w,
        ReadOnlySpan<double> robustness,
        out double fit)
    {
        var n = y.Length;
        var range = n - 1.0;
        var h = Math.Max(xs - nleft, nright - xs);
        if (len > n)
        {
            h += (len - n) / 2;
        }

        var h9 = 0.999 * h;
        var h1 = 0.001 * h;
        var useRobustness = !robustness.IsEmpty;
        var a = 0.0;
        for (var j = nleft; j <= nright; j++)
        {
            var wj = 0.0;
            var r = Math.Abs(j - xs);
            if (r <= h9)
            {
                if (r <= h1)
                {
                    wj = 1.0;
                }
                else
                {
                    var q = r / h;
                    var c = 1.0 - (q * q * q);
                    wj = c * c * c;
                }

                if (useRobustness)
                {
                    wj = robustness[j - 1] * wj;
                }

                a += wj;
            }

            w[j - 1] = wj;
        }

        if (a <= 0.0)
        {
            fit = 0.0;
            return false;
        }

        for (var j = nleft; j <= nright; j++)
        {
            w[j - 1] /= a;
        }

        if (h > 0.0 && degree > 0)
        {
            // Local linear term: shift the weights by the slope through the weighted centre ā.
            var centre = 0.0;
            for (var j = nleft; j <= nright; j++)
            {
                centre += w[j - 1] * j;
            }

            var b = xs - centre;
            var spread = 0.0;
            for (var j = nleft; j <= nright; j++)
            {
                var d = j - centre;
                spread += w[j - 1] * (d * d);
            }

            if (Math.Sqrt(spread) > 0.001 * range)
            {
                b /= spread;
                for (var j = nleft; j <= nright; j++)
                {
                    w[j - 1] *= (b * (j - centre)) + 1.0;
                }
            }
        }

        var sum = 0.0;
        for (var j = nleft; j <= nright; j++)
        {
            sum += w[j - 1] * y[j - 1];
        }

        fit = sum;
        return true;
    }

    /// <summary>
    /// Smooths <paramref name="y"/> into <paramref name="smoothed"/> with a LOESS of window <paramref name="len"/>
    /// (odd, ≥ 3), evaluated at every <paramref name="jump"/>-th point and linearly interpolated in between; the
    /// last point is always evaluated. <paramref name="robustness"/> empty means no robustness weights.
    /// <paramref name="scratch"/> needs n + 2·len values.
    /// </summary>
    /// <remarks>
    /// Away from the ends the window is symmetric and h = (len − 1)/2 is the same for every point, so the tricube
    /// weights are computed once per call; without robustness weights the whole local fit reduces to one fixed
    /// kernel, and each fitted value to a dot product. That kernel is formed in window-relative positions, which
    /// changes the rounding of the degree-1 sums by a few ulps relative to the netlib code (≈1e-15 of the data).
    /// </remarks>
    public static void Smooth(
        ReadOnlySpan<double> y,
        int len,
        int degree,
        int jump,
        ReadOnlySpan<double> robustness,
        Span<double> smoothed,
        Span<double> scratch)
    {
        var n = y.Length;
        if (n < 2)
        {
            smoothed[0] = y[0];
            return;
        }

        var w = scratch[..n];
        var interior = len < n ? new InteriorLoess(len, degree, n, robustness.IsEmpty, scratch.Slice(n, 2 * len)) : default;
        var step = Math.Min(jump, n - 1);
        var nleft = 1;
        var nright = n;
        if (len >= n)
        {
            for (var i = 1; i <= n; i += step)
            {
                Evaluate(y, len, degree, i, nleft, nright, w, robustness, smoothed);
            }
        }
        else if (step == 1)
        {
            var half = (len + 1) / 2;
            nright = len;
            for (var i = 1; i <= n; i++)
            {
                if (i > half && nright != n)
                {
                    nleft++;
                    nright++;
                }

                if (i - nleft == nright - i)
                {
                    smoothed[i - 1] = interior.Fit(y, robustness, nleft);
                }
                else
                {
                    Evaluate(y, len, degree, i, nleft, nright, w, robustness, smoothed);
                }
            }
        }
        else
        {
            var half = (len + 1) / 2;
            for (var i = 1; i <= n; i += step)
            {
                if (i < half)
                {
                    nleft = 1;
                    nright = len;
                    Evaluate(y, len, degree, i, nleft, nright, w, robustness, smoothed);
                }
                else if (i >= n - half + 1)
                {
                    nleft = n - len + 1;
                    nright = n;
                    Evaluate(y, len, degree, i, nleft, nright, w, robustness, smoothed);
                }
                else
                {
                    nleft = i - half + 1;
                    nright = len + i - half;
                    smoothed[i - 1] = interior.Fit(y, robustness, nleft);
                }
            }
        }

        if (step == 1)
        {
            return;
        }

        for (var i = 1; i <= n - step; i += step)
        {
            Interpolate(smoothed, i, i + step);
        }

        var lastOnGrid = ((n - 1) / step * step) + 1;
        if (lastOnGrid != n)
        {
            // The netlib code evaluates the last point with the window of the last grid point.
            Evaluate(y, len, degree, n, nleft, nright, w, robustness, smoothed);
            if (lastOnGrid != n - 1)
            {
                Interpolate(smoothed, lastOnGrid, n);
            }
        }
    }

    private static void Evaluate(
        ReadOnlySpan<double> y,
        int len,
        int degree,
        int i,
        int nleft,
        int nright,
        Span<double> w,
        ReadOnlySpan<double> robustness,
        Span<double> smoothed)
    {
        smoothed[i - 1] = Estimate(y, len, degree, i, nleft, nright, w, robustness, out var fit) ? fit : y[i - 1];
    }

    // Straight line between the fitted values at 1-based positions `from` and `to`.
    private static void Interpolate(Span<double> smoothed, int from, int to)
    {
        var start = smoothed[from - 1];
        var delta = (smoothed[to - 1] - start) / (to - from);
        for (var j = from + 1; j < to; j++)
        {
            smoothed[j - 1] = start + (delta * (j - from));
        }
    }
}
