using MetricPipeline.Analysis.ChangePoints;

namespace MetricPipeline.Analysis.Tests.ChangePoints;

/// <summary>The batched cost PELT uses must give exactly the scalar cost, or PELT's choices (and ties) could change.</summary>
public class SegmentCostBatchTests
{
    [Fact]
    public void Batched_linear_trend_costs_equal_the_scalar_cost_bit_for_bit()
    {
        var rng = new Random(11);
        var y = new double[1500];
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = (rng.NextDouble() * 50) + (0.2 * i) + (i > 700 ? 30 : 0);
        }

        var cost = new LinearTrendCost(y, variance: 2.5);
        var values = new double[y.Length];
        var compared = 0;
        for (var end = 1; end <= y.Length; end += 5)
        {
            // Mostly consecutive starts with random gaps, as PELT's surviving candidates are.
            var starts = Enumerable.Range(0, end).Where(_ => rng.NextDouble() < 0.8).ToArray();
            ((ISegmentCost)cost).Costs(starts, end, values);
            for (var i = 0; i < starts.Length; i++)
            {
                Assert.Equal(cost.Cost(starts[i], end), values[i]);
                compared++;
            }
        }

        Assert.True(compared > 100_000, $"only {compared} costs compared");
    }

    [Fact]
    public void Pelt_with_the_batched_linear_cost_matches_a_scalar_only_cost()
    {
        var rng = new Random(5);
        var y = new double[800];
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = rng.NextDouble() + (i >= 300 ? 4 : 0) + (i >= 550 ? -3 : 0) + (0.01 * i);
        }

        var batched = Pelt.Detect(new LinearTrendCost(y), 20, 5);
        var scalar = Pelt.Detect(new ScalarOnly(new LinearTrendCost(y)), 20, 5);
        Assert.Equal(scalar.ChangePoints, batched.ChangePoints);
        Assert.Equal(scalar.Objective, batched.Objective);
        Assert.Contains(batched.ChangePoints, c => Math.Abs(c - 300) <= 2);
    }

    /// <summary>Hides the batched override so PELT goes through the interface's one-at-a-time default.</summary>
    private sealed class ScalarOnly(ISegmentCost inner) : ISegmentCost
    {
        public int Length => inner.Length;

        public double Cost(int start, int end) => inner.Cost(start, end);
    }
}
