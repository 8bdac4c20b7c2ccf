using MetricPipeline.Data;
using MetricPipeline.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace MetricPipeline.Detection;

/// <summary>
/// Keeps what a pass's live detector found in each series it analysed (<c>detector_findings</c>), so the history
/// endpoint draws the detector's own change points and anomalies instead of computing its own. For each series, the
/// findings that start in the buckets this pass tested replace those an earlier pass stored for the same buckets:
/// every time shows the judgement of the newest pass that tested it.
/// </summary>
public static class PassFindings
{
    public static async Task RecordAsync(MetricPipelineDbContext db, long runId, IEnumerable<AnalysedSeries> analysed, CancellationToken ct)
    {
        var added = false;
        foreach (var series in analysed)
        {
            var times = series.Series.Times;
            if (series.Live.TestStart >= times.Length)
            {
                continue;
            }

            var metric = series.Series.Metric.Key;
            var segment = series.Series.Segment;
            var tested = new DateTimeOffset(times[series.Live.TestStart], TimeSpan.Zero);
            await db.DetectorFindings.Where(f => f.MetricKey == metric && f.Segment == segment && f.StartAt >= tested).ExecuteDeleteAsync(ct);
            foreach (var f in series.Live.Findings)
            {
                db.DetectorFindings.Add(new DetectorFinding
                {
                    RunId = runId,
                    MetricKey = metric,
                    Segment = segment,
                    Kind = DetectionPass.KindName(f.Kind),
                    StartAt = new DateTimeOffset(times[f.Start], TimeSpan.Zero),
                    EndAt = new DateTimeOffset(times[f.End] + series.Series.Width, TimeSpan.Zero),
                    Ongoing = f.Ongoing,
                    Alertable = f.Alertable,
                    Direction = f.IsGood ? "good" : "bad",
                    Observed = f.Observed,
                    Expected = f.Expected,
                    ExpectedLow = f.ExpectedLow,
                    ExpectedHigh = f.ExpectedHigh,
                    Relative = f.Relative,
                    RelativeLow = f.RelativeLow,
                    RelativeHigh = f.RelativeHigh,
                    Statistic = f.Statistic,
                });
                added = true;
            }
        }

        if (added)
        {
            await db.SaveChangesAsync(ct);
        }
    }
}
