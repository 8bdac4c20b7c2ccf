namespace MetricPipeline.Rollup;

/// <summary>How segments are spelled in storage: "" is the total, "plan=free" one dimension value.</summary>
public static class SegmentNames
{
    public const string Total = "";

    /// <summary>Events that lack the dimension's property.</summary>
    public const string Missing = "(none)";

    /// <summary>Values beyond the per-dimension cap.</summary>
    public const string Other = "other";

    public static string Of(string dimension, string value) => dimension + "=" + value;
}
