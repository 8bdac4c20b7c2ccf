namespace MetricPipeline.Analysis.ChangePoints;

/// <summary>
/// Binary segmentation (Scott &amp; Knott 1974; Vostrikova 1981): repeatedly split the segment [a,b) at the s that
/// maximises the gain C(a,b) − C(a,s) − C(s,b), accepting a split only while the gain exceeds the penalty β and
/// both parts keep at least <c>minSegmentLength</c> points. Greedy and approximate, O(n log n) cost evaluations on
/// typical data; at most <c>maxChangePoints</c> splits (R's <c>Q</c>).
/// </summary>
public static class BinarySegmentation
{
    /// <summary>Segments the series behind <paramref name="cost"/>; the objective reported is Σ C(segment) + β·m.</summary>
    public static Segmentation Detect(ISegmentCost cost, double penalty, int minSegmentLength = 1, int maxChangePoints = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minSegmentLength, 1);
        var n = cost.Length;
        if (n == 0)
        {
            return new Segmentation([], 0);
        }

        var points = new SortedSet<int>();
        var queue = new PriorityQueue<(int Start, int End, int Split), double>();
        Enqueue(0, n);
        while (queue.TryDequeue(out var item, out var negativeGain) && points.Count < maxChangePoints)
        {
            if (-negativeGain <= penalty)
            {
                break;
            }

            points.Add(item.Split);
            Enqueue(item.Start, item.Split);
            Enqueue(item.Split, item.End);
        }

        var bounds = new List<int> { 0 };
        bounds.AddRange(points);
        bounds.Add(n);
        var objective = penalty * points.Count;
        for (var i = 0; i + 1 < bounds.Count; i++)
        {
            objective += cost.Cost(bounds[i], bounds[i + 1]);
        }

        return new Segmentation([.. points], objective);

        void Enqueue(int start, int end)
        {
            if (end - start < 2 * minSegmentLength)
            {
                return;
            }

            var whole = cost.Cost(start, end);
            var bestGain = double.NegativeInfinity;
            var bestSplit = -1;
            for (var s = start + minSegmentLength; s <= end - minSegmentLength; s++)
            {
                var gain = whole - cost.Cost(start, s) - cost.Cost(s, end);
                if (gain > bestGain)
                {
                    bestGain = gain;
                    bestSplit = s;
                }
            }

            if (bestSplit > 0)
            {
                queue.Enqueue((start, end, bestSplit), -bestGain);
            }
        }
    }
}
