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

    /// <summary>
    /// Minimum number of observations a new level must hold on each side of a shift (a shorter excursion is a
    /// transient, reported through the anomalies). Null: the shortest seasonal period (24 without periods).
    /// </summary>
    public int? MinPersistence { get; init; }

    /// <summary>
    /// Measure shift significance against the long-run noise scale of the remainder (inflated for its lag-1
    /// autocorrelation) instead of the white-noise scale alone. See docs/DETECTION.md.
    /// </summary>
    public bool LongRunScale { get; init; } = true;

    /// <summary>
    /// Remainder points of the first fit beyond this many robust σ are replaced in the refit's input by the median of
    /// the observations one and two longest periods away, so a spike cannot leak into the seasonal component and echo
    /// one period away. Their anomaly scores still use the observed value. Infinity turns this off.
    /// </summary>
    public double SpikeClip { get; init; } = 6;

    /// <summary>
    /// Seasonality and shifts multiply the level (product counts and sums: the weekend dip scales with the level), so the
    /// detector runs on log y and reports levels, relative changes and expected values back on the series' scale. Needs
    /// every value &gt; 0.
    /// </summary>
    public bool Multiplicative { get; init; }

    /// <summary>Set by the detector itself when it runs on log y: relative changes are e^(after − before) − 1.</summary>
    internal bool LogScale { get; init; }

    /// <summary>Report runs of anomalous points as one anomaly event at their peak.</summary>
    public bool MergeAnomalyEvents { get; init; } = true;

    /// <summary>
    /// Most non-anomalous points allowed inside one anomaly event. Null: max(1, shortest period / 24) — one hour
    /// when the shortest period is a day, whatever the sampling interval.
    /// </summary>
    public int? AnomalyEventGap { get; init; }
}
