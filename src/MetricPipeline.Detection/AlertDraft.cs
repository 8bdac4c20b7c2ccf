using MetricPipeline.Data.Alerts;

namespace MetricPipeline.Detection;

/// <summary>A deviation the pass wants to alert on (level shift, outage, dip or spike), before the lifecycle decides whether it is new.</summary>
public sealed record AlertDraft(
    string MetricKey,
    string Segment,
    string Kind,
    DateTime ChangeAt,
    double Value,
    double Before,
    double ExpectedLow,
    double ExpectedHigh,
    double RelativeChange,
    string Direction,
    double Score,
    IReadOnlyList<DeploymentMatch> Deployments,
    EffectInterval? Effect,
    AlertContributors Contributors)
{
    /// <summary>End of the deviation's last bucket (exclusive); for an ongoing one, the end of the newest bucket read.</summary>
    public DateTime EndAt { get; init; } = ChangeAt;

    /// <summary>The deviation reaches the newest bucket read.</summary>
    public bool Ongoing { get; init; }

    /// <summary>The first buckets the data cannot tell from <see cref="ChangeAt"/>, when the finding gives them.</summary>
    public OnsetInterval? Onset { get; init; }
}
