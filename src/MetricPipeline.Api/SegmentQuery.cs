using MetricPipeline.Contracts;
using MetricPipeline.Registry;

namespace MetricPipeline.Api;

/// <summary>Reads <c>segment=plan:free</c> (or <c>plan=free</c>) into the stored spelling <c>plan=free</c>.</summary>
public static class SegmentQuery
{
    public static bool TryParse(string? text, MetricDefinition metric, out string segment, out string? error)
    {
        segment = "";
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var cut = text.IndexOfAny([':', '=']);
        if (cut <= 0 || cut == text.Length - 1)
        {
            error = $"segment '{text}' must be dimension:value, e.g. plan:free";
            return false;
        }

        var dimension = text[..cut];
        if (!metric.Dimensions.Contains(dimension, StringComparer.Ordinal))
        {
            error = metric.Dimensions.Count == 0
                ? $"metric '{metric.Key}' has no dimensions to segment by"
                : $"metric '{metric.Key}' is not segmented by '{dimension}'; its dimensions are {string.Join(", ", metric.Dimensions)}";
            return false;
        }

        var value = text[(cut + 1)..];
        if (StoredText.Problem("the segment's value", value, StoredText.MaxValueBytes) is { } problem)
        {
            error = problem;
            return false;
        }

        segment = dimension + "=" + value;
        return true;
    }
}
