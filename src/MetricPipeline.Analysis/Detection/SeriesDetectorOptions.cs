using MetricPipeline.Analysis.ChangePoints;

namespace MetricPipeline.Analysis.Detection;

/// <summary>Thresholds of the per-series detector. The defaults are the ones documented in docs/DETECTION.md.</summary>
public sealed record SeriesDetectorOptions
{
    /// <summary>Change-point search on the deseasonalised series (the project's single default configuration).</summary>
    public ChangePointOptions ChangePoints { get; init; } = ChangePointDetector.Default;

    /// <summary>Shifts smaller than this |relative change| are dropped.</summary>
    public double MinRelativeChange { get; init; } = 0.02;

    /// <summary>Shifts whose |z| is below this are dropped.</summary>
    public double MinScore { get; init; } = 5;

    /// <summary>|robust z| of the remainder at or above which a point is an anomaly.</summary>
    public double AnomalyThreshold { get; init; } = 5;

    /// <summary>Two same-direction shifts at most this many observations apart are one shift smeared into a ramp.</summary>
    public int MergeWithin { get; init; } = 48;

    /// <summary>STL seasonal window (R's <c>s.window</c>) for every period.</summary>
    public int SeasonalWindow { get; init; } = 7;
}
