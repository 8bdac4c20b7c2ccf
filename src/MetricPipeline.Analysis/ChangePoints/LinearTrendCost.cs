using System.Runtime.Intrinsics;

namespace MetricPipeline.Analysis.ChangePoints;

/// <summary>
/// Change in level and slope of Normal data with known variance σ²: each segment is fitted by least squares with
/// its own line a + b·t, and C(a,b) = RSS / σ², where RSS = Syy − (Sty²·Stt⁻¹) about the segment means
/// (Syy = Σ(y−ȳ)², Sty = Σ(t−t̄)(y−ȳ), Stt = Σ(t−t̄)²). A steady drift therefore costs nothing extra and a jump in
/// level — or a kink — is what buys a new segment. Segments of one point cost 0.
/// </summary>
public sealed class LinearTrendCost : ISegmentCost
{
    private readonly double[] sumY;
    private readonly double[] sumYy;
    private readonly double[] sumTy;
    private readonly double inverseVariance;

    public LinearTrendCost(ReadOnlySpan<double> y, double variance = 1.0)
    {
        if (!(variance > 0) || double.IsInfinity(variance))
        {
            throw new ArgumentOutOfRangeException(nameof(variance), variance, "variance must be a positive finite number");
        }

        sumY = new double[y.Length + 1];
        sumYy = new double[y.Length + 1];
        sumTy = new double[y.Length + 1];
        for (var i = 0; i < y.Length; i++)
        {
            sumY[i + 1] = sumY[i] + y[i];
            sumYy[i + 1] = sumYy[i] + (y[i] * y[i]);
            sumTy[i + 1] = sumTy[i] + (i * y[i]);
        }

        inverseVariance = 1.0 / variance;
    }

    public int Length => sumY.Length - 1;

    public double Cost(int start, int end)
    {
        double len = end - start;
        var sy = sumY[end] - sumY[start];
        var syy = sumYy[end] - sumYy[start] - (sy * sy / len);
        if (len < 3)
        {
            return 0;
        }

        // Times are centred on the segment's midpoint so the sums stay well conditioned for long series.
        var tMean = start + ((len - 1) / 2.0);
        var sty = sumTy[end] - sumTy[start] - (tMean * sy);
        var stt = len * ((len * len) - 1) / 12.0;
        var rss = syy - (sty * sty / stt);
        return Math.Max(rss, 0) * inverseVariance;
    }

    /// <summary>
    /// <see cref="Cost"/> for many starts and one end, four at a time in SIMD lanes. The arithmetic is the same
    /// sequence of IEEE operations as <see cref="Cost"/> (no fused multiply-add, divisions kept), so every value is
    /// identical to the scalar one and PELT's choices — including ties — do not change.
    /// </summary>
    public void Costs(ReadOnlySpan<int> starts, int end, Span<double> costs)
    {
        if (costs.Length < starts.Length)
        {
            throw new ArgumentException("costs must have room for one value per start", nameof(costs));
        }

        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var endY = Vector256.Create(sumY[end]);
            var endYy = Vector256.Create(sumYy[end]);
            var endTy = Vector256.Create(sumTy[end]);
            var endT = Vector256.Create((double)end);
            var one = Vector256.Create(1.0);
            var half = Vector256.Create(0.5);
            var three = Vector256.Create(3.0);
            var twelve = Vector256.Create(12.0);
            var inverse = Vector256.Create(inverseVariance);
            var lanes = Vector256.Create(0.0, 1.0, 2.0, 3.0);
            for (; i + 4 <= starts.Length; i += 4)
            {
                int s0 = starts[i], s1 = starts[i + 1], s2 = starts[i + 2], s3 = starts[i + 3];
                Vector256<double> start, y, yy, ty;
                if (s3 - s0 == 3)
                {
                    // Surviving candidates are ascending and mostly consecutive: load four neighbours at once.
                    start = Vector256.Create((double)s0) + lanes;
                    y = Vector256.Create<double>(sumY.AsSpan(s0, 4));
                    yy = Vector256.Create<double>(sumYy.AsSpan(s0, 4));
                    ty = Vector256.Create<double>(sumTy.AsSpan(s0, 4));
                }
                else
                {
                    start = Vector256.Create((double)s0, s1, s2, s3);
                    y = Vector256.Create(sumY[s0], sumY[s1], sumY[s2], sumY[s3]);
                    yy = Vector256.Create(sumYy[s0], sumYy[s1], sumYy[s2], sumYy[s3]);
                    ty = Vector256.Create(sumTy[s0], sumTy[s1], sumTy[s2], sumTy[s3]);
                }

                var len = endT - start;
                var sy = endY - y;
                var syy = endYy - yy - (sy * sy / len);
                var tMean = start + ((len - one) * half); // ×½ is exact, the same value as /2
                var sty = endTy - ty - (tMean * sy);
                var stt = len * ((len * len) - one) / twelve;
                var rss = Vector256.Max(syy - (sty * sty / stt), Vector256<double>.Zero) * inverse;
                var result = Vector256.ConditionalSelect(Vector256.LessThan(len, three), Vector256<double>.Zero, rss);
                result.CopyTo(costs[i..]);
            }
        }

        for (; i < starts.Length; i++)
        {
            costs[i] = Cost(starts[i], end);
        }
    }
}
