namespace MetricPipeline.Data.Entities;

/// <summary>
/// What the live detector found in one series in the tested window of a pass: a level shift, an outage, a dip or a
/// spike, with its span and its effect against the forecast. A later pass that tests the same buckets replaces the
/// findings that start in them, so the table holds, for every time, the judgement of the newest pass that tested it.
/// The history endpoint draws these as change points (level shifts, outages) and anomalies (dips, spikes).
/// </summary>
public sealed class DetectorFinding
{
    public long Id { get; set; }

    /// <summary>The pass (<see cref="DetectorRun"/>) that found it.</summary>
    public long RunId { get; set; }

    public required string MetricKey { get; set; }

    /// <summary>"" for the total, <c>dimension=value</c> for a segment.</summary>
    public required string Segment { get; set; }

    /// <summary>level_shift, outage, dip or spike.</summary>
    public required string Kind { get; set; }

    /// <summary>Start of its first bucket.</summary>
    public DateTimeOffset StartAt { get; set; }

    /// <summary>End of its last bucket.</summary>
    public DateTimeOffset EndAt { get; set; }

    /// <summary>It reaches the newest bucket the pass read.</summary>
    public bool Ongoing { get; set; }

    /// <summary>The detector would alert on it (the metric's policy may still hold it back).</summary>
    public bool Alertable { get; set; }

    /// <summary>good or bad, by the metric's direction.</summary>
    public required string Direction { get; set; }

    /// <summary>Mean observed and forecast value per bucket over its span, and the forecast's interval.</summary>
    public double Observed { get; set; }

    public double Expected { get; set; }
    public double ExpectedLow { get; set; }
    public double ExpectedHigh { get; set; }

    /// <summary>Relative effect against the forecast and its interval.</summary>
    public double Relative { get; set; }

    public double RelativeLow { get; set; }
    public double RelativeHigh { get; set; }

    /// <summary>The scan statistic that found it.</summary>
    public double Statistic { get; set; }
}
