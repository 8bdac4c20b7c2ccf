using MetricPipeline.Analysis.Impact;

namespace MetricPipeline.Detection;

/// <summary>A shift the pass wants to alert on, before the lifecycle decides whether it is new.</summary>
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
    IReadOnlyList<CorrelatedDeployment> Deployments,
    EffectEstimate? Effect,
    Contributors Contributors);
