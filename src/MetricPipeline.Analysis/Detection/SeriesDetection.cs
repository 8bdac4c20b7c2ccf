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

/// <summary>A single-point anomaly: observed <see cref="Value"/>, <see cref="Expected"/> value and robust z-score of the remainder.</summary>
public sealed record DetectedAnomaly(int Index, double Value, double Expected, double Score);

/// <summary>The detector's answer for one series.</summary>
public sealed record SeriesDetection(IReadOnlyList<DetectedChangePoint> ChangePoints, IReadOnlyList<DetectedAnomaly> Anomalies);
