using MetricPipeline.Analysis.Anomalies;
using MetricPipeline.Analysis.ChangePoints;
using MetricPipeline.Analysis.Decomposition;
using MetricPipeline.Analysis.Statistics;

namespace MetricPipeline.Analysis.Detection;

/// <summary>
/// The per-series detector: decompose (STL for one period, MSTL for several) → change points on the deseasonalised
/// series d = y − Σ seasonal → level before/after, relative change and z-score of each shift, weak or small shifts
/// dropped → robust z-scores of the remainder as anomalies, with the remainder near an accepted shift measured
/// against the local level on its own side so a level shift is not reported as a run of anomalies.
/// </summary>
public static class SeriesDetector
{
    /// <summary>Runs the detector on <paramref name="y"/> with the given seasonal <paramref name="periods"/> (may be empty).</summary>
    public static SeriesDetection Detect(ReadOnlySpan<double> y, IReadOnlyList<int> periods, MetricDirection direction = MetricDirection.Up, SeriesDetectorOptions? options = null)
    {
        options ??= new SeriesDetectorOptions();
        Validate(y, periods);
        if (options.Multiplicative)
        {
            return DetectMultiplicative(y, periods, direction, options);
        }

        var n = y.Length;

        var window = periods.Count > 0 ? periods.Max() : 24;
        var persistence = options.MinPersistence ?? (periods.Count > 0 ? periods.Min() : 24);
        var (deseasonalised, remainder) = Decompose(y, periods, options);

        // Spikes: remainder points far out are replaced in the refit's input, so the seasonal smoother of the second
        // decomposition does not take part of a spike into the same phase of neighbouring cycles (an "echo").
        var spikes = remainder is null ? [] : FindSpikes(remainder, options.SpikeClip);
        var (accepted, sigma) = FindShifts(deseasonalised, remainder, window, persistence, options);
        if (periods.Count > 0 && (accepted.Count > 0 || spikes.Count > 0))
        {
            // Second pass: the seasonal smoother spreads part of a jump over neighbouring cycles, which leaves ramps
            // in d. Removing the found steps (and clipped spikes) before decomposing again gives a seasonal free of them.
            var input = y.ToArray();
            var offsets = new double[n];
            var offset = 0.0;
            var next = 0;
            for (var i = 0; i < n; i++)
            {
                while (next < accepted.Count && accepted[next].Index == i)
                {
                    offset += accepted[next].After - accepted[next].Before;
                    next++;
                }

                offsets[i] = offset;
                input[i] -= offset;
            }

            ReplaceSpikes(input, spikes, periods.Max());

            var (stepFree, stepFreeRemainder) = Decompose(input, periods, options);
            for (var i = 0; i < n; i++)
            {
                // seasonal₂ = input − (input − seasonal₂); d = y − seasonal₂. The remainder is measured against the
                // unclipped y, so a clipped spike still shows at its full size.
                var seasonal = input[i] - stepFree[i];
                deseasonalised[i] = y[i] - seasonal;
                stepFreeRemainder![i] += y[i] - offsets[i] - input[i];
            }

            remainder = stepFreeRemainder;
            (accepted, sigma) = FindShifts(deseasonalised, remainder, window, persistence, options);
        }

        if (sigma == 0)
        {
            return new SeriesDetection([], []);
        }

        var changePoints = accepted
            .Select(s => new DetectedChangePoint(s.Index, s.Before, s.After, s.RelativeChange, s.Score, direction == MetricDirection.Up ? s.Score > 0 : s.Score < 0))
            .ToList();

        var residual = Residual(deseasonalised, remainder, accepted, window);
        var scores = new double[n];
        var center = RobustScore.Compute(residual, scores);
        var anomalies = new List<DetectedAnomaly>();
        var gap = options.AnomalyEventGap ?? Math.Max(1, (periods.Count > 0 ? periods.Min() : 24) / 24);
        for (var i = 0; i < n; i++)
        {
            if (Math.Abs(scores[i]) < options.AnomalyThreshold)
            {
                continue;
            }

            var peak = i;
            var first = i;
            if (options.MergeAnomalyEvents)
            {
                // One event per run of anomalous points (gaps of at most `gap` normal points), reported at its largest |z|.
                for (var j = i + 1; j < n && j - i <= gap + 1; j++)
                {
                    if (Math.Abs(scores[j]) >= options.AnomalyThreshold)
                    {
                        i = j;
                        peak = Math.Abs(scores[j]) > Math.Abs(scores[peak]) ? j : peak;
                    }
                }
            }

            anomalies.Add(new DetectedAnomaly(peak, y[peak], y[peak] - (residual[peak] - center), scores[peak]) { FirstIndex = first, LastIndex = i });
        }

        return new SeriesDetection(changePoints, anomalies);
    }

    /// <summary>
    /// The detector on z = log y, its answers brought back: levels e^level (geometric means), relative changes
    /// e^(after − before) − 1, observed and expected values of anomalies on the series' scale.
    /// </summary>
    private static SeriesDetection DetectMultiplicative(ReadOnlySpan<double> y, IReadOnlyList<int> periods, MetricDirection direction, SeriesDetectorOptions options)
    {
        var z = new double[y.Length];
        for (var i = 0; i < y.Length; i++)
        {
            if (!(y[i] > 0))
            {
                throw new ArgumentException($"the multiplicative scale needs every value > 0; observation {i} is {y[i]}", nameof(y));
            }

            z[i] = Math.Log(y[i]);
        }

        var onLog = Detect(z, periods, direction, options with { Multiplicative = false, LogScale = true });
        return new SeriesDetection(
            [.. onLog.ChangePoints.Select(c => c with { Before = Math.Exp(c.Before), After = Math.Exp(c.After) })],
            [.. onLog.Anomalies.Select(a => a with { Value = Math.Exp(a.Value), Expected = Math.Exp(a.Expected) })]);
    }

    /// <summary>Indices whose remainder lies beyond <paramref name="clip"/> robust σ (1.4826·MAD) of the remainder's median.</summary>
    private static List<int> FindSpikes(double[] remainder, double clip)
    {
        var spikes = new List<int>();
        if (!double.IsFinite(clip))
        {
            return spikes;
        }

        var center = RobustStatistics.Median(remainder);
        var scale = RobustStatistics.MadToSigma * RobustStatistics.MedianAbsoluteDeviation(remainder, center);
        for (var i = 0; i < remainder.Length && scale > 0; i++)
        {
            if (Math.Abs(remainder[i] - center) > clip * scale)
            {
                spikes.Add(i);
            }
        }

        return spikes;
    }

    /// <summary>
    /// Replaces each spike by the median of the observations at the same phase one and two longest periods before and
    /// after. Not the first fit plus a clipped remainder: that fit's seasonal already holds part of the spike, so the
    /// refit would inherit it. Flagged neighbours are not excluded: many flagged points are echoes of the first fit
    /// whose observations are normal, and the median of four ignores one true outlier.
    /// </summary>
    private static void ReplaceSpikes(double[] input, List<int> spikes, int period)
    {
        if (spikes.Count == 0)
        {
            return;
        }

        Span<double> neighbours = stackalloc double[4];
        var replacements = new double[spikes.Count];
        for (var k = 0; k < spikes.Count; k++)
        {
            var i = spikes[k];
            var count = 0;
            foreach (var j in (ReadOnlySpan<int>)[i - period, i + period, i - (2 * period), i + (2 * period)])
            {
                if (j >= 0 && j < input.Length)
                {
                    neighbours[count++] = input[j];
                }
            }

            replacements[k] = count > 0 ? RobustStatistics.MedianInPlace(neighbours[..count]) : input[i];
        }

        for (var k = 0; k < spikes.Count; k++)
        {
            input[spikes[k]] = replacements[k];
        }
    }

    /// <summary>Change points of d, measured on d winsorised at the change-point search's clip level, weak ones dropped.</summary>
    private static (IReadOnlyList<MeasuredShift> Shifts, double Sigma) FindShifts(double[] deseasonalised, double[]? remainder, int window, int persistence, SeriesDetectorOptions options)
    {
        var n = deseasonalised.Length;
        var sigma = ChangePointDetector.NoiseScale(deseasonalised, options.ChangePoints.ScaleFloor);
        if (sigma == 0)
        {
            return ([], 0);
        }

        // The significance of a level difference between two windows depends on how much the noise averages out
        // over them: with positively autocorrelated errors far less than 1/w. Use the remainder's long-run scale
        // when it is larger than the white-noise scale σ̂ (it never lowers the bar).
        var testSigma = sigma;
        if (options.LongRunScale && remainder is not null)
        {
            testSigma = Math.Max(sigma, AutocorrelatedNoise.LongRunScale(remainder, out _));
        }

        // The change-point search's own preprocessing (centre, scale to unit noise, winsorise) done once here: the
        // same scaled series goes to the search, and scaled back it is the clipped d the shifts are measured on.
        var center = RobustStatistics.Median(deseasonalised);
        var scaled = new double[n];
        for (var i = 0; i < n; i++)
        {
            scaled[i] = (deseasonalised[i] - center) / sigma;
        }

        var clipAt = double.IsFinite(options.ChangePoints.ClipAt) ? options.ChangePoints.ClipAt : 3;
        ChangePointDetector.Winsorise(scaled, clipAt, options.ChangePoints.ClipWindow);
        var clipped = new double[n];
        for (var i = 0; i < n; i++)
        {
            clipped[i] = (scaled[i] * sigma) + center;
        }

        // Without clipping in the search configuration, the search sees the unclipped scaled series as before.
        var searched = double.IsFinite(options.ChangePoints.ClipAt) ? scaled : ChangePointDetector.ScaleToUnitNoise(deseasonalised, options.ChangePoints.ScaleFloor)!;
        var candidates = ChangePointDetector.Segment(searched, options.ChangePoints).ToList();
        var shifts = ShiftMeasure.Filter(clipped, candidates, window, testSigma, options.MinRelativeChange, options.MinScore, persistence, options.LogScale);

        // The piecewise-linear search fits a jump that the decomposition has smeared into a short ramp as
        // "before, ramp, after": two same-signed shifts a few hours apart. Report one shift at the ramp's middle.
        var merged = new List<int>();
        for (var i = 0; i < shifts.Count; i++)
        {
            if (i + 1 < shifts.Count && shifts[i + 1].Index - shifts[i].Index <= options.MergeWithin && Math.Sign(shifts[i].Score) == Math.Sign(shifts[i + 1].Score))
            {
                merged.Add((shifts[i].Index + shifts[i + 1].Index + 1) / 2);
                i++;
            }
            else
            {
                merged.Add(shifts[i].Index);
            }
        }

        return merged.Count == shifts.Count ? (shifts, sigma) : (ShiftMeasure.Filter(clipped, merged, window, testSigma, options.MinRelativeChange, options.MinScore, persistence, options.LogScale), sigma);
    }

    private static void Validate(ReadOnlySpan<double> y, IReadOnlyList<int> periods)
    {
        foreach (var v in y)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException("the series contains a missing or non-finite value; fill or drop it before detection", nameof(y));
            }
        }

        foreach (var p in periods)
        {
            if (p < 2)
            {
                throw new ArgumentException($"period {p} is invalid: a seasonal period must be at least 2", nameof(periods));
            }

            if (y.Length < 2 * p)
            {
                throw new ArgumentException($"the series has {y.Length} points, fewer than two cycles of period {p}; give a longer series or a shorter period", nameof(y));
            }
        }
    }

    /// <summary>d = y − Σ seasonal, and the decomposition's remainder (null without periods).</summary>
    private static (double[] Deseasonalised, double[]? Remainder) Decompose(ReadOnlySpan<double> y, IReadOnlyList<int> periods, SeriesDetectorOptions options)
    {
        var deseasonalised = y.ToArray();
        if (periods.Count == 0)
        {
            return (deseasonalised, null);
        }

        if (periods.Count == 1)
        {
            var stl = Stl.Decompose(y, new StlOptions { Period = periods[0], SeasonalWindow = options.SeasonalWindow });
            for (var i = 0; i < y.Length; i++)
            {
                deseasonalised[i] -= stl.Seasonal[i];
            }

            return (deseasonalised, stl.Remainder);
        }

        var mstl = Mstl.Decompose(y, periods);
        foreach (var seasonal in mstl.Seasonals)
        {
            for (var i = 0; i < y.Length; i++)
            {
                deseasonalised[i] -= seasonal[i];
            }
        }

        return (deseasonalised, mstl.Remainder);
    }

    /// <summary>
    /// The decomposition's remainder, except within one window of an accepted shift, where it is d minus the level on
    /// the point's own side of the shift (the STL trend smooths across a jump and would leave a run of large residuals).
    /// Without a decomposition, d minus the local level of its segment.
    /// </summary>
    private static double[] Residual(double[] deseasonalised, double[]? remainder, IReadOnlyList<MeasuredShift> shifts, int window)
    {
        var n = deseasonalised.Length;
        double[] residual;
        if (remainder is not null)
        {
            residual = (double[])remainder.Clone();
        }
        else
        {
            residual = new double[n];
            var bounds = new List<int> { 0 };
            bounds.AddRange(shifts.Select(s => s.Index));
            bounds.Add(n);
            for (var b = 0; b + 1 < bounds.Count; b++)
            {
                var mean = 0.0;
                for (var i = bounds[b]; i < bounds[b + 1]; i++)
                {
                    mean += deseasonalised[i];
                }

                mean /= bounds[b + 1] - bounds[b];
                for (var i = bounds[b]; i < bounds[b + 1]; i++)
                {
                    residual[i] = deseasonalised[i] - mean;
                }
            }

            return residual;
        }

        foreach (var shift in shifts)
        {
            for (var i = Math.Max(0, shift.Index - window); i < Math.Min(n, shift.Index + window); i++)
            {
                residual[i] = deseasonalised[i] - (i < shift.Index ? shift.Before : shift.After);
            }
        }

        return residual;
    }
}
