namespace MetricPipeline.Analysis.Detection;

/// <summary>
/// The errors the forecasts of a test window share, in units of one standardised error: <see cref="Level"/> moves every
/// bucket of the window alike (the learned level's error and the drift's over the distance), <see cref="Day"/> every
/// bucket of one calendar day alike (that weekday's effect is an estimate; a whole day can move more than its hours'
/// noise explains). <see cref="DayOf"/> numbers the days of the window's buckets 0, 1, … in order.
/// </summary>
/// <remarks>
/// The window's errors are then e = Z·c + ε with c ~ N(0, diag(Level, Day, …, Day)) and ε ~ N(0, I), so their covariance
/// is Σ = I + Z·D·Zᵀ, and Σ⁻¹ = I − Z·(D⁻¹ + ZᵀZ)⁻¹·Zᵀ (Woodbury) needs only a matrix of one row per day. A segment
/// compared with the rest of the window is compared with the buckets of its own days more than with those of other
/// days: a weekday read against a weekend whose effect was learned a little off is not a shift.
/// </remarks>
public sealed record SharedErrors(double Level, double Day, IReadOnlyList<int> DayOf)
{
    /// <summary>Only the level's error (no day structure), for <paramref name="n"/> buckets.</summary>
    public static SharedErrors LevelOnly(double level, int n) => new(level, 0, new int[n]);

    public int Count => DayOf.Count;

    /// <summary>Variance of the mean of the shared errors over the whole window (for a single number summary).</summary>
    public double Total => Level + Day;

    /// <summary>The solver for the buckets that are <paramref name="available"/> (missing ones are left out of Σ).</summary>
    internal SharedSolver Solve(ReadOnlySpan<bool> available) => new(this, available);
}

/// <summary>
/// Σ⁻¹ of a <see cref="SharedErrors"/> model restricted to the available buckets, as M = (D⁻¹ + ZᵀZ)⁻¹ over the shared
/// components that are present: column 0 the level (when its variance is positive), then one per day with an available
/// bucket (when the day's variance is positive). For a segment u with L available buckets, sum S and a = Zᵀu:
/// uᵀΣ⁻¹u = L − aᵀMa and uᵀΣ⁻¹e = S − aᵀM·Zᵀe.
/// </summary>
internal sealed class SharedSolver
{
    private readonly SharedErrors model;
    private readonly int[] dayColumn;
    private readonly int levelColumn;
    private readonly double[,] m;
    private readonly int size;

    public SharedSolver(SharedErrors model, ReadOnlySpan<bool> available)
    {
        this.model = model;
        var days = model.Count == 0 ? 0 : model.DayOf[^1] + 1;
        var counts = new int[days];
        var total = 0;
        for (var t = 0; t < model.Count; t++)
        {
            if (available[t])
            {
                counts[model.DayOf[t]]++;
                total++;
            }
        }

        levelColumn = model.Level > 0 ? 0 : -1;
        size = levelColumn + 1;
        dayColumn = new int[days];
        for (var d = 0; d < days; d++)
        {
            dayColumn[d] = model.Day > 0 && counts[d] > 0 ? size++ : -1;
        }

        var a = new double[size, size];
        if (levelColumn >= 0)
        {
            a[0, 0] = (1 / model.Level) + total;
        }

        for (var d = 0; d < days; d++)
        {
            if (dayColumn[d] is var c and >= 0)
            {
                a[c, c] = (1 / model.Day) + counts[d];
                if (levelColumn >= 0)
                {
                    a[0, c] = a[c, 0] = counts[d];
                }
            }
        }

        m = Invert(a, size);
    }

    /// <summary>M·Zᵀv over the available buckets of <paramref name="values"/>.</summary>
    public double[] Weights(ReadOnlySpan<double> values, ReadOnlySpan<bool> available)
    {
        var b = new double[size];
        for (var t = 0; t < values.Length; t++)
        {
            if (available[t])
            {
                Add(b, t, values[t]);
            }
        }

        var w = new double[size];
        for (var i = 0; i < size; i++)
        {
            for (var j = 0; j < size; j++)
            {
                w[i] += m[i, j] * b[j];
            }
        }

        return w;
    }

    /// <summary>
    /// (aᵀw, aᵀMa) for a = Zᵀu of the segment [<paramref name="from"/>, <paramref name="to"/>] whose available buckets
    /// per day are counted by <paramref name="availablePrefix"/> (prefix sums of availability).
    /// </summary>
    public (double Projection, double Quadratic) Segment(int from, int to, ReadOnlySpan<int> availablePrefix, ReadOnlySpan<double> w)
    {
        if (size == 0)
        {
            return (0, 0);
        }

        Span<int> columns = stackalloc int[size];
        Span<double> counts = stackalloc double[size];
        var k = 0;
        if (levelColumn >= 0)
        {
            columns[k] = levelColumn;
            counts[k++] = availablePrefix[to + 1] - availablePrefix[from];
        }

        var t = from;
        while (t <= to)
        {
            var day = model.DayOf[t];
            var end = t;
            while (end + 1 <= to && model.DayOf[end + 1] == day)
            {
                end++;
            }

            if (dayColumn[day] >= 0)
            {
                columns[k] = dayColumn[day];
                counts[k++] = availablePrefix[end + 1] - availablePrefix[t];
            }

            t = end + 1;
        }

        double projection = 0, quadratic = 0;
        for (var i = 0; i < k; i++)
        {
            projection += counts[i] * w[columns[i]];
            for (var j = 0; j < k; j++)
            {
                quadratic += counts[i] * counts[j] * m[columns[i], columns[j]];
            }
        }

        return (projection, quadratic);
    }

    /// <summary>(zᵀw, zᵀMz) for the single bucket <paramref name="t"/>: its shared components' estimate and variance.</summary>
    public (double Projection, double Quadratic) Bucket(int t, ReadOnlySpan<double> w)
    {
        var day = model.DayOf[t];
        var (l, dc) = (levelColumn, dayColumn[day]);
        double projection = 0, quadratic = 0;
        if (l >= 0)
        {
            projection += w[l];
            quadratic += m[l, l];
        }

        if (dc >= 0)
        {
            projection += w[dc];
            quadratic += m[dc, dc] + (l >= 0 ? 2 * m[l, dc] : 0);
        }

        return (projection, quadratic);
    }

    private void Add(double[] b, int t, double value)
    {
        if (levelColumn >= 0)
        {
            b[levelColumn] += value;
        }

        if (dayColumn[model.DayOf[t]] is var c and >= 0)
        {
            b[c] += value;
        }
    }

    /// <summary>Inverse of a small symmetric positive definite matrix (Gauss–Jordan; the diagonal dominates).</summary>
    private static double[,] Invert(double[,] a, int n)
    {
        var inverse = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            inverse[i, i] = 1;
        }

        for (var col = 0; col < n; col++)
        {
            var pivot = a[col, col];
            for (var j = 0; j < n; j++)
            {
                a[col, j] /= pivot;
                inverse[col, j] /= pivot;
            }

            for (var row = 0; row < n; row++)
            {
                if (row == col || a[row, col] == 0)
                {
                    continue;
                }

                var factor = a[row, col];
                for (var j = 0; j < n; j++)
                {
                    a[row, j] -= factor * a[col, j];
                    inverse[row, j] -= factor * inverse[col, j];
                }
            }
        }

        return inverse;
    }
}
