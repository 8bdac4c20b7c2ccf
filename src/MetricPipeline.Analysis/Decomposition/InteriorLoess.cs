namespace MetricPipeline.Analysis.Decomposition;

/// <summary>
/// The local fit at the centre of a full symmetric window (positions 1..len, centre c = (len + 1)/2,
/// h = c − 1): tricube weights computed once; without robustness weights, the fitted value is Σ k_m·y_m with a
/// fixed kernel k (the normalised, slope-corrected weights).
/// </summary>
internal readonly ref struct InteriorLoess
{
    private readonly Span<double> _tricube;
    private readonly Span<double> _kernel;
    private readonly int _degree;
    private readonly double _range;
    private readonly double _centre;
    private readonly bool _fixedKernel;

    public InteriorLoess(int len, int degree, int n, bool fixedKernel, Span<double> scratch)
    {
        _tricube = scratch[..len];
        _kernel = scratch.Slice(len, len);
        _degree = degree;
        _range = n - 1.0;
        _centre = (len + 1) / 2;
        _fixedKernel = fixedKernel;
        var h = _centre - 1.0;
        var h9 = 0.999 * h;
        var h1 = 0.001 * h;
        for (var m = 0; m < len; m++)
        {
            var r = Math.Abs(m + 1 - _centre);
            double wm;
            if (r <= h1)
            {
                wm = 1.0;
            }
            else if (r <= h9)
            {
                var q = r / h;
                var c = 1.0 - (q * q * q);
                wm = c * c * c;
            }
            else
            {
                wm = 0.0;
            }

            _tricube[m] = wm;
        }

        if (fixedKernel)
        {
            _tricube.CopyTo(_kernel);
            Normalise(_kernel);
        }
    }

    public double Fit(ReadOnlySpan<double> y, ReadOnlySpan<double> robustness, int nleft)
    {
        var len = _tricube.Length;
        var window = y.Slice(nleft - 1, len);
        if (_fixedKernel)
        {
            return Dot(_kernel, window);
        }

        // With robustness weights w_m = tricube_m · rw_m the local fit is computed from weighted moments in
        // one pass, positions taken relative to the centre (x = 0 there): ȳ + (0 − x̄)·cov(x, y)/var(x).
        var rw = robustness.Slice(nleft - 1, len);
        var half = (len - 1) / 2;
        var tricube = _tricube;
        double s0 = 0.0, sy = 0.0, sx = 0.0, sxx = 0.0, sxy = 0.0;
        if (_degree == 0)
        {
            for (var m = 0; m < len; m++)
            {
                var wm = tricube[m] * rw[m];
                s0 += wm;
                sy += wm * window[m];
            }
        }
        else
        {
            double x = -half;
            for (var m = 0; m < len; m++, x++)
            {
                var wm = tricube[m] * rw[m];
                var wy = wm * window[m];
                var wx = wm * x;
                s0 += wm;
                sy += wy;
                sx += wx;
                sxx += wx * x;
                sxy += wy * x;
            }
        }

        if (s0 <= 0.0)
        {
            return window[half];
        }

        var mean = sy / s0;
        if (_degree == 0)
        {
            return mean;
        }

        var centre = sx / s0;
        var spread = (sxx / s0) - (centre * centre);
        return Math.Sqrt(spread) > 0.001 * _range
            ? mean + (-centre / spread * ((sxy / s0) - (centre * mean)))
            : mean;
    }

    // w /= Σw, then the degree-1 slope correction about the weighted mean position.
    private void Normalise(Span<double> weights)
    {
        var a = 0.0;
        for (var m = 0; m < weights.Length; m++)
        {
            a += weights[m];
        }

        for (var m = 0; m < weights.Length; m++)
        {
            weights[m] /= a;
        }

        if (_degree == 0)
        {
            return;
        }

        var mean = 0.0;
        for (var m = 0; m < weights.Length; m++)
        {
            mean += weights[m] * (m + 1);
        }

        var b = _centre - mean;
        var spread = 0.0;
        for (var m = 0; m < weights.Length; m++)
        {
            var d = m + 1 - mean;
            spread += weights[m] * (d * d);
        }

        if (Math.Sqrt(spread) > 0.001 * _range)
        {
            b /= spread;
            for (var m = 0; m < weights.Length; m++)
            {
                weights[m] *= (b * (m + 1 - mean)) + 1.0;
            }
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        for (var m = 0; m < a.Length; m++)
        {
            sum += a[m] * b[m];
        }

        return sum;
    }
}
