namespace MetricPipeline.Analysis.Detection;

/// <summary>Whether a higher value of the metric is good (<c>up</c>) or bad (<c>down</c>).</summary>
public enum MetricDirection
{
    Up,
    Down,
}

/// <summary>
/// A level shift: <see cref="Index"/> is the first observation of the new level; <see cref="Before"/> and
/// <see cref="After"/> are deseasonalised levels next to it, <see cref="RelativeChange"/> = (after − before)/|before|
/// (null when before is 0), <see cref="Score"/> the signed z-statistic of the shift, and <see cref="IsGood"/> whether
/// its sign agrees with the metric's direction.
/// </summary>
public sealed record DetectedChangePoint(int Index, double Before, double After, double? RelativeChange, double Score, bool IsGood);

/// <summary>
/// An anomaly event: <see cref="Index"/> is its peak (largest |robust z| of the remainder), with the observed
/// <see cref="Value"/>, <see cref="Expected"/> value and z-score there; <see cref="FirstIndex"/>…<see cref="LastIndex"/>
/// is the run of consecutive anomalous points it stands for (both equal <see cref="Index"/> for a single point).
/// </summary>
public sealed record DetectedAnomaly(int Index, double Value, double Expected, double Score)
{
    /// <summary>First observation of the anomalous run.</summary>
    public int FirstIndex { get; init; } = Index;

    /// <summary>Last observation of the anomalous run (inclusive).</summary>
    public int LastIndex { get; init; } = Index;
}

/// <summary>The detector's answer for one series.</summary>
public sealed record SeriesDetection(IReadOnlyList<DetectedChangePoint> ChangePoints, IReadOnlyList<DetectedAnomaly> Anomalies);
