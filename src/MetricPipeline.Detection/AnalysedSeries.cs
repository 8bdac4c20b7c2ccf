using MetricPipeline.Analysis.Detection;

namespace MetricPipeline.Detection;

/// <summary>A series of the pass with what the per-series detector found in it.</summary>
public sealed record AnalysedSeries(NodeSeries Series, SeriesDetection Detection);
