using MetricPipeline.Analysis.Statistics;

namespace MetricPipeline.Analysis.Detection;

/// <summary>
/// What a series looks like when nothing happens, learned from z[0, cut) only: the seasonal baseline, the noise, and
/// the level at the end of the learning part. <see cref="Start"/> is where the test begins: the cut, or a recent step
/// before it that has too little data after it to be learned. Forecast(t) = level + slope·(t − level's centre) +
/// seasonal(t) for any t ≥ Start; Variance(t) = Scale² · the noise model's variance there (Scale from an
/// out-of-sample check, 1 until then). <see cref="LevelVariance"/> is the variance of the error all forecasts of the
/// test window share, at its newest observation: the level's and the drift's over the distance; <see cref="DayVariance"/>
/// that of the error the forecasts of one day share: the day effect's, and the day's own (whole days move more than
/// their hours' noise explains).
/// </summary>
internal sealed record LearnedNormal(
    SeasonalBaseline Baseline, NoiseModel Noise, double Level, double LevelVariance, double DayVariance, double LevelCentre, double Slope, int Start, double Scale = 1)
{
    /// <summary>The part of <see cref="LevelVariance"/> that is the level's own noise (the mean of the level window's buckets).</summary>
    public double MeanVariance { get; init; }

    /// <summary>The variance of the shared error of one forecast: the level's and its day's.</summary>
    public double SharedVariance => LevelVariance + DayVariance;

    /// <summary>Two-sample |t| above which a step in the level window is real.</summary>
    private const double StepThreshold = 5;

    /// <summary>
    /// Level windows the drift is fitted over: three weeks of hours. Its standard error falls as the span to the power
    /// 1.5, and projected over the six days to the newest bucket it is most of the error the tested window shares.
    /// </summary>
    private const int SlopeSpan = 3;

    public double Forecast(int t) => Level + (Slope * (t - LevelCentre)) + Baseline.Seasonal(t);

    public double Variance(int t) => Scale * Scale * Noise.Variance(Forecast(t));

    public static LearnedNormal Learn(double[] z, SeasonalLayout layout, int cut, int levelWindow, bool countLike, double offset)
    {
        var baseline = SeasonalBaseline.Fit(z.AsSpan(0, cut), layout);
        var d = new double[cut];
        for (var t = 0; t < cut; t++)
        {
            d[t] = z[t] - baseline.Seasonal(t);
        }

        var noise = NoiseModel.Fit(d, baseline, Math.Max(layout.Period, 5) | 1, countLike, offset);

        // A recent step — against the window's own linear drift, so growth is not taken for a step — limits the level
        // and slope windows to the data after it, or, with less than two cycles of data after it, moves the test back to
        // start at the step: a change still under way is tested, not learned.
        var cycle = Math.Max(layout.Period, 1);
        var start = cut;
        var (from, to) = (Math.Max(0, cut - levelWindow), cut);
        var slopeFrom = Math.Max(0, cut - (SlopeSpan * levelWindow));
        var (drift, _) = Drift(d, slopeFrom, cut, cycle, shrink: false);
        if (RecentStep(d, z, noise, slopeFrom, cut, drift) is { } step)
        {
            if (cut - step < Math.Max(2 * layout.Period, 3))
            {
                // A few buckets before the step's estimate (it can be off by a bucket or three): the scan dates the onset.
                start = Math.Max(1, step - Math.Max(2, layout.Period / 4));
                (from, to) = (Math.Max(0, start - levelWindow), start);
                slopeFrom = Math.Max(0, start - (SlopeSpan * levelWindow));
            }
            else
            {
                from = Math.Max(from, step);
                slopeFrom = step;
            }
        }

        var (level, levelVariance) = MeanLevel(d, z, noise, from, to);
        var centre = (from + to - 1) / 2.0;
        var horizon = z.Length - 1 - centre;

        // A day's own movement: its level's variance beyond what its buckets' noise explains (the local median of a week
        // it is measured against adds π/2/7 of it). The baseline's estimate is a median of a few dozen differences between
        // weeks, good to about half its size: only a variance over twice what the noise alone gives counts as days moving
        // as a whole, and the day effects' own error is scaled to what is left (noise alone at the least).
        var dayVariance = 0.0;
        var cycleVariance = 0.0;
        var blockVariance = baseline.BlockEffectVariance;
        if (layout.Blocks >= 2 && to > from && baseline.CycleLevelVariance > 0)
        {
            var bucketVariance = 0.0;
            for (var t = from; t < to; t++)
            {
                bucketVariance += noise.Variance(z[t]);
            }

            bucketVariance *= noise.LongRunFactor / (to - from);
            var localMedian = 1 + (Math.PI / 2 / layout.Blocks);
            var noiseOnly = bucketVariance / layout.Period * localMedian;
            var observed = baseline.CycleLevelVariance;
            var dayLevel = observed > 2 * noiseOnly ? observed : noiseOnly;
            cycleVariance = dayLevel / localMedian;
            dayVariance = Math.Max(0, cycleVariance - (bucketVariance / layout.Period));
            blockVariance *= dayLevel / observed;
        }

        // The drift's standard error from the variance of a cycle's mean that the model knows from all of the past (a day's
        // own level and its weekday effect's error), not from the spread of the dozen cycle means the slope is fitted to:
        // a scale from a dozen residuals is itself off by a third now and then, and the drift's error, projected over
        // the distance to the newest bucket, is most of the error the test window shares.
        double? cycleMeanVariance = layout.Blocks >= 2 && cycleVariance > 0
            ? cycleVariance + blockVariance
            : null;
        var (slope, slopeError) = Drift(d, slopeFrom, to, cycle, shrink: true, cycleMeanVariance);
        var shared = levelVariance + (slopeError * slopeError * horizon * horizon);
        return new LearnedNormal(baseline, noise, level, shared, blockVariance + dayVariance, centre, slope, start) { MeanVariance = levelVariance };
    }

    /// <summary>
    /// The drift of d over [from, to): the Theil–Sen slope of its cycle means (per observation), shrunk towards zero by
    /// its own uncertainty when <paramref name="shrink"/>, max(0, 1 − (se/slope)²), so a steady series projects flat and a growing one keeps growing;
    /// and its standard error. Zero with fewer than four cycles (for days: single days from two weeks on).
    /// </summary>
    private static (double Slope, double Error) Drift(double[] d, int from, int to, int cycle, bool shrink, double? cycleMeanVariance = null)
    {
        var ownCycle = cycle;
        var count = (to - from) / cycle;
        if (count < 4 && cycle <= 7 && to - from >= 14)
        {
            // Days with fewer than four weeks: the deseasonalised days themselves (a day's total is smooth enough).
            (cycle, count) = (1, to - from);
        }

        if (count < 4)
        {
            return (0, 0);
        }

        var x = new double[count];
        var means = new double[count];
        for (var j = 0; j < count; j++)
        {
            var first = to - ((count - j) * cycle);
            var sum = 0.0;
            for (var t = first; t < first + cycle; t++)
            {
                sum += d[t];
            }

            x[j] = first + ((cycle - 1) / 2.0);
            means[j] = sum / cycle;
        }

        var pairs = new double[count * (count - 1) / 2];
        var k = 0;
        for (var i = 0; i < count; i++)
        {
            for (var j = i + 1; j < count; j++)
            {
                pairs[k++] = (means[j] - means[i]) / (x[j] - x[i]);
            }
        }

        var slope = RobustStatistics.MedianInPlace(pairs);
        var xBar = x.Average();
        var intercept = RobustStatistics.Median(means.Select((m, j) => m - (slope * (x[j] - xBar))).ToArray());
        var residuals = means.Select((m, j) => m - intercept - (slope * (x[j] - xBar))).ToArray();
        var scale = RobustStatistics.MadToSigma * RobustStatistics.MedianAbsoluteDeviation(residuals, 0);
        if (cycleMeanVariance is { } modelVariance && cycle == ownCycle)
        {
            // Theil–Sen's variance is that of least squares over its efficiency for Gaussian errors (0.91).
            scale = Math.Sqrt(modelVariance / 0.91);
        }

        var se = scale / Math.Sqrt(x.Sum(v => (v - xBar) * (v - xBar)));
        return (slope == 0 || !shrink ? slope : slope * Math.Max(0, 1 - ((se / slope) * (se / slope))), se);
    }

    /// <summary>The strongest single step of d in [from, to) when its two-sample |t| exceeds the threshold; else null.</summary>
    private static int? RecentStep(double[] d, double[] z, NoiseModel noise, int from, int to, double drift)
    {
        const int MinimumSide = 3;
        var n = to - from;
        if (n < 2 * MinimumSide)
        {
            return null;
        }

        // Precision-weighted, clipped values so a spike or the Poisson noise of a quiet night does not make a step.
        var detrended = new double[n];
        for (var i = 0; i < n; i++)
        {
            detrended[i] = d[from + i] - (drift * i);
        }

        var center = RobustStatistics.Median(detrended);
        var w = new double[n];
        var x = new double[n];
        for (var i = 0; i < n; i++)
        {
            var variance = noise.Variance(z[from + i]) * noise.LongRunFactor;
            var limit = 4 * Math.Sqrt(variance);
            w[i] = 1 / variance;
            x[i] = Math.Clamp(detrended[i] - center, -limit, limit);
        }

        double totalW = 0, totalWx = 0;
        for (var i = 0; i < n; i++)
        {
            totalW += w[i];
            totalWx += w[i] * x[i];
        }

        double leftW = 0, leftWx = 0, bestT = 0;
        int? best = null;
        for (var k = 1; k < n; k++)
        {
            leftW += w[k - 1];
            leftWx += w[k - 1] * x[k - 1];
            if (k < MinimumSide || n - k < MinimumSide)
            {
                continue;
            }

            var rightW = totalW - leftW;
            var gap = ((totalWx - leftWx) / rightW) - (leftWx / leftW);
            var t = Math.Abs(gap) / Math.Sqrt((1 / leftW) + (1 / rightW));
            if (t > bestT)
            {
                (bestT, best) = (t, from + k);
            }
        }

        if (bestT <= StepThreshold || best is not { } k0)
        {
            return null;
        }

        // A step must hold: the newest part after it (up to a day's worth) is off the level before it in the same
        // direction by at least half the step. An excursion that came back — a holiday, an outage — is no new level.
        var split = k0 - from;
        double beforeW = 0, beforeWx = 0, afterW = 0, afterWx = 0, lastW = 0, lastWx = 0;
        for (var i = 0; i < n; i++)
        {
            if (i < split)
            {
                (beforeW, beforeWx) = (beforeW + w[i], beforeWx + (w[i] * x[i]));
            }
            else
            {
                (afterW, afterWx) = (afterW + w[i], afterWx + (w[i] * x[i]));
            }

            if (i >= Math.Max(split, n - 24))
            {
                (lastW, lastWx) = (lastW + w[i], lastWx + (w[i] * x[i]));
            }
        }

        var step = (afterWx / afterW) - (beforeWx / beforeW);
        var held = (lastWx / lastW) - (beforeWx / beforeW);
        return Math.Sign(held) == Math.Sign(step) && Math.Abs(held) >= Math.Abs(step) / 2 ? k0 : null;
    }

    /// <summary>
    /// The mean of d over [from, to), each value clipped at ±3 of its σ around the median, and its variance. Every hour
    /// weighs alike, as in the profile it is added to: weighted by precision, the busy hours set the level, and the
    /// profile — a median of each hour's values, whose quiet hours' log counts are skewed — is then off by a little at
    /// every quiet hour, always the same way. The forecasts of a quiet plan segment came out about 3 % of a bucket's σ
    /// high, and the mean score of its newest 72 hours −0.25 σ instead of 0 (−0.04 with equal weights).
    /// </summary>
    private static (double Level, double Variance) MeanLevel(double[] d, double[] z, NoiseModel noise, int from, int to)
    {
        var center = RobustStatistics.Median(d.AsSpan(from, to - from));
        double sum = 0, variance = 0;
        for (var t = from; t < to; t++)
        {
            var v = noise.Variance(z[t]);
            var limit = 3 * Math.Sqrt(v);
            sum += Math.Clamp(d[t] - center, -limit, limit);
            variance += v;
        }

        var n = to - from;
        return (center + (sum / n), noise.LongRunFactor * variance / n / n);
    }

}
