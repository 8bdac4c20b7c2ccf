using MetricPipeline.Analysis.Detection;
using MetricPipeline.Registry;

namespace MetricPipeline.Detection;

/// <summary>A series of the pass with what the live detector found in its newest buckets.</summary>
public sealed record AnalysedSeries(NodeSeries Series, LiveDetection Live)
{
    /// <summary>The live detector's settings for a metric: multiplicative for positive kinds, Poisson noise for counts.</summary>
    public static LiveDetectorOptions OptionsFor(MetricDefinition metric, DetectorOptions settings) => new()
    {
        Multiplicative = metric.Kind != MetricKind.Ratio,
        CountLike = metric.Kind is MetricKind.Count or MetricKind.DistinctUsers,
        FalseAlertsPerYear = metric.Alert.Sensitivity is { } perYear ? perYear : settings.FalseAlertsPerSeriesYear,
        FalseAlertsPerKnownOnset = settings.FalseAlertsPerDeployment,
        ObservationsPerYear = metric.Grain switch { Grain.Hour => 8766, Grain.Day => 365.25, _ => 52.18 },
        Confidence = settings.Confidence,
        Direction = metric.Direction == Direction.Up ? MetricDirection.Up : MetricDirection.Down,
    };

    /// <summary>The seasonal layout of a series by its grain and first bucket.</summary>
    public static SeasonalLayout LayoutFor(NodeSeries series) => series.Metric.Grain switch
    {
        Grain.Hour => SeasonalLayout.Hourly(series.Times[0]),
        Grain.Day => SeasonalLayout.Daily(series.Times[0]),
        _ => SeasonalLayout.None,
    };

    /// <summary>Sum of observed − expected over [from, to] (indices; only the tested part counts) and the expected sum.</summary>
    public (double Change, double Expected) ChangeOver(int from, int to)
    {
        double change = 0, expected = 0;
        for (var t = Math.Max(from, Live.TestStart); t <= to && t < Series.Values.Length; t++)
        {
            change += Series.Values[t] - Live.Expected[t];
            expected += Live.Expected[t];
        }

        return (change, expected);
    }
}
