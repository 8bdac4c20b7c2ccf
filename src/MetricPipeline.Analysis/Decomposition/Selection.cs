namespace MetricPipeline.Analysis.Decomposition;

/// <summary>Order statistics in place, in linear expected time (Hoare's selection).</summary>
internal static class Selection
{
    /// <summary>
    /// Rearranges <paramref name="values"/> so that values[k] is the k-th smallest (0-based), every element before
    /// it is ≤ it and every element after it is ≥ it; returns values[k].
    /// </summary>
    public static double Select(Span<double> values, int k)
    {
        var left = 0;
        var right = values.Length - 1;
        while (right > left)
        {
            // Median of three as the pivot keeps sorted or nearly sorted input linear.
            var mid = left + ((right - left) / 2);
            if (values[mid] < values[left])
            {
                Swap(values, mid, left);
            }

            if (values[right] < values[left])
            {
                Swap(values, right, left);
            }

            if (values[right] < values[mid])
            {
                Swap(values, right, mid);
            }

            var pivot = values[mid];
            var i = left;
            var j = right;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    Swap(values, i, j);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                right = j;
            }
            else if (k >= i)
            {
                left = i;
            }
            else
            {
                return values[k];
            }
        }

        return values[k];
    }

    /// <summary>Largest element of a non-empty span.</summary>
    public static double MaxOf(ReadOnlySpan<double> values)
    {
        var max = values[0];
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > max)
            {
                max = values[i];
            }
        }

        return max;
    }

    private static void Swap(Span<double> values, int a, int b) => (values[a], values[b]) = (values[b], values[a]);
}
