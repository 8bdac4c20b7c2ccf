using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MetricPipeline.Analysis.Detection;
using MetricPipeline.Detection;
using MetricPipeline.Registry;

namespace MetricPipeline.LiveReplay;

/// <summary>
/// The replay's quick mode (<c>--detector-only</c>): the same seeded series, but no database and no pass — the live
/// detector itself run on each hourly count series (every total and plan) as a pass would read it as of every hour
/// (the last 28 days of closed buckets), with the pass's own <see cref="DetectionPass.Worth"/> filter. Each series'
/// worthy findings are grouped into alerts as the pass groups them (same sign, onset within
/// <see cref="DetectorOptions.SameShiftWithinBuckets"/> of the alert's latest). It leaves out what needs the database
/// (carrying segments, re-dating against stored alerts, deployments, recoveries, the daily and ratio scenarios), so it
/// measures the detector's false alerts and raw delays over hundreds of seeds in minutes; the full replay is the
/// acceptance figure.
/// </summary>
public static class DetectorOnly
{
    private sealed record Track(string Scenario, int Seed, string Segment, int Sign, int Onset, int FirstPass, string Kind, double Relative, double Statistic)
    {
        public int Latest { get; set; } = Onset;

        public HashSet<string> Kinds { get; } = [Kind];
    }

    private sealed record Outcome(Scenario Scenario, int Seed, int? Delay, int? Error, int FalseAlerts, int FalseAlertsInPeriod, double SeriesWeeks, IReadOnlyList<string> Notes);

    /// <summary>Lengths of the newest stretches whose mean score is checked against its stated variance (<c>--calibration</c>).</summary>
    private static readonly int[] CalibrationLengths = [1, 3, 6, 12, 24, 48, 72];

    /// <summary>
    /// One calibration figure: for <see cref="Length"/> &gt; 0 the newest <see cref="Length"/> buckets' mean score over its
    /// stated standard deviation √(1/L + shared) (N(0, 1) when the model is right); for 0 a series' day means of log y
    /// around a weekday/weekend level and a linear trend, their spread over what Poisson and 3 % extra noise give (1).
    /// </summary>
    private readonly record struct Fit(string Kind, int Length, double Z, string Where);

    public static int Run(ReplayOptions options)
    {
        var calibration = options.Calibration ? new ConcurrentBag<Fit>() : null;

        var scenarios = options.Scenarios.Where(s => s.Kind is not (ChangeKind.DailyLevel or ChangeKind.RatioLevel)).ToList();
        ReplayOptions.RequireSteady(options, scenarios);
        var settings = new DetectorOptions();
        var seeds = Enumerable.Range(options.FirstSeed, options.Seeds).ToList();
        var now = DateTime.UtcNow;
        var watch = Stopwatch.StartNew();
        var outcomes = new ConcurrentBag<Outcome>();
        Parallel.ForEach(seeds, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            var plan = SeedPlan.Create(seed, scenarios, options.MinRelativeChange, now, options.TagSteady) with { WeekOfPasses = options.WeekOfPasses };
            foreach (var instance in plan.Instances)
            {
                outcomes.Add(Replay(plan, instance, settings, calibration));
            }
        });

        var all = outcomes.OrderBy(o => o.Seed).ToList();
        var report = new StringBuilder();
        report.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Detector-only replay: {scenarios.Count} hourly scenarios × {seeds.Count} seeds (from {options.FirstSeed}), {watch.Elapsed.TotalSeconds:0} s"));
        report.AppendLine();
        report.AppendLine("| scenario | detected | median delay | p90 delay | change time ±1 | false alerts | series-weeks | series-weeks per false alert |");
        report.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var group in all.GroupBy(o => o.Scenario.Name))
        {
            var delays = group.Where(o => o.Delay is not null).Select(o => o.Delay!.Value).Order().ToList();
            var changes = group.Count(o => o.Scenario.Sign != 0 && o.Scenario.Kind != ChangeKind.Spike);
            var within = group.Count(o => o.Error is { } e && Math.Abs(e) <= 1);
            var falseAlerts = group.Sum(o => o.FalseAlerts);
            var weeks = group.Sum(o => o.SeriesWeeks);
            report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key} | {(changes > 0 ? $"{delays.Count}/{changes}" : "")} | {Delay(group, 0.5)} | {Delay(group, 0.9)} | " +
                $"{(delays.Count > 0 && changes > 0 ? $"{within}/{delays.Count}" : "")} | {falseAlerts} | {weeks:0.0} | {(falseAlerts > 0 ? (weeks / falseAlerts).ToString("0.0", CultureInfo.InvariantCulture) : "–")} |"));
        }

        foreach (var group in all.Where(o => o.Delay is not null).GroupBy(o => o.Scenario.Name))
        {
            report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- {group.Key} delays: {string.Join(" ", group.Select(o => o.Delay!.Value).Order().GroupBy(d => d).Select(d => $"{d.Key}×{d.Count()}"))}"));
        }

        var steady = all.Where(o => o.Scenario.Kind == ChangeKind.Steady).ToList();
        if (steady.Count > 0)
        {
            var f = steady.Sum(o => o.FalseAlerts);
            var w = steady.Sum(o => o.SeriesWeeks);
            report.AppendLine();
            var inPeriod = steady.Sum(o => o.FalseAlertsInPeriod);
            report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Steady series: {f} false alerts in {w:0.0} series-weeks = 1 per {(f > 0 ? w / f : double.PositiveInfinity):0.0}."));
            report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"Of them dated from the first pass's newest bucket on (what the passes' own hours add; the first pass also reads the 72 h before it): {inPeriod} = 1 per {(inPeriod > 0 ? w / inPeriod : double.PositiveInfinity):0.0}."));
        }

        if (calibration is { } c)
        {
            foreach (var g in c.GroupBy(x => (x.Kind, x.Length)).OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.Length))
            {
                var zs = g.Select(x => x.Z).ToList();
                var sd = Math.Sqrt(zs.Average(z => z * z));
                if (g.Key.Length == 0)
                {
                    report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"day-mean residual sd / predicted, {g.Key.Kind}: mean {zs.Average():0.000}, median {zs.Order().ElementAt(zs.Count / 2):0.000}, rms {sd:0.000}"));
                    continue;
                }

                report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"calibration {g.Key.Kind} L={g.Key.Length}: n={zs.Count} rms={sd:0.000} mean={zs.Average():+0.000;-0.000} |z|>2.5: {zs.Count(z => Math.Abs(z) > 2.5) / (double)zs.Count:0.0000} (0.0124) |z|>3: {zs.Count(z => Math.Abs(z) > 3) / (double)zs.Count:0.0000} (0.0027)"));
                if (g.Key.Length is 12 or 24)
                {
                    foreach (var x in g.Where(x => Math.Abs(x.Z) > 3).OrderByDescending(x => Math.Abs(x.Z)).Take(15))
                    {
                        report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"    z {x.Z:+0.00;-0.00} {x.Where}"));
                    }
                }
            }
        }

        var notes = all.SelectMany(o => o.Notes).ToList();
        if (notes.Count > 0)
        {
            report.AppendLine();
            report.AppendLine($"False alerts ({notes.Count}):");
            foreach (var note in notes)
            {
                report.AppendLine("- " + note);
            }
        }

        Console.Write(report);
        File.WriteAllText(options.Output, report.ToString());
        Console.WriteLine($"written to {Path.GetFullPath(options.Output)}");
        return 0;
    }

    private static Outcome Replay(SeedPlan plan, ScenarioInstance instance, DetectorOptions settings, ConcurrentBag<Fit>? calibration)
    {
        var scenario = instance.Scenario;
        var document = new JsonObject { ["metrics"] = new JsonArray([.. instance.Definitions.Select(d => d.DeepClone())]) };
        var metric = RegistryDocumentReader.ReadJson(document.ToJsonString()).Metrics.Single();
        var options = AnalysedSeries.OptionsFor(metric, settings);
        var counts = instance.Metrics.Single().CountsByPlan;
        var series = new Dictionary<string, double[]>(StringComparer.Ordinal) { [""] = new double[plan.Hours] };
        foreach (var (name, values) in counts)
        {
            series["plan=" + name] = [.. values.Select(v => (double)v)];
            for (var h = 0; h < plan.Hours; h++)
            {
                series[""][h] += values[h];
            }
        }

        if (calibration is { } dayCalib)
        {
            foreach (var (segment, values) in series)
            {
                // Day means of log y over whole days, against a weekday/weekend level and a linear trend.
                var firstDay = (24 - plan.Start.Hour) % 24;
                var days = new List<(double Mean, double Predicted, bool Weekend, int Index)>();
                for (var t = firstDay; t + 24 <= plan.Hours; t += 24)
                {
                    var date = plan.Start.AddHours(t);
                    var m = 0.0;
                    var v = 0.0;
                    for (var h = t; h < t + 24; h++)
                    {
                        m += Math.Log(values[h] + 0.5) / 24;
                        v += (0.0009 + (1 / Math.Max(1, values[h]))) / 576;
                    }

                    if (instance.Holiday is { } hd && hd.Date == date.Date)
                    {
                        continue;
                    }

                    days.Add((m, Math.Sqrt(v), date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday, days.Count));
                }

                // Least squares on [1, rest, index].
                var x = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(days.Count, 3, (i, j) => j == 0 ? 1 : j == 1 ? (days[i].Weekend ? 1 : 0) : days[i].Index);
                var yv = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(days.Count, i => days[i].Mean);
                var beta = x.QR().Solve(yv);
                var residual = yv - (x * beta);
                var ratio = Math.Sqrt(residual.DotProduct(residual) / (days.Count - 3)) / Math.Sqrt(days.Average(d => d.Predicted * d.Predicted));
                dayCalib.Add(new Fit(segment.Length == 0 ? "total" : "segment", 0, ratio, $"seed {plan.Seed} {segment}"));
            }
        }

        var change = (int)(plan.ChangeAt - plan.Start).TotalHours;

        // The tagged deployment, as the pass turns it into known onsets (DeploymentCorrelation.KnownOnsets) once it has started.
        var deployed = instance.Tag is { } tag ? plan.ChangeAt.AddMinutes(-tag.LagMinutes) : (DateTime?)null;
        IReadOnlyList<int> Known(int begin, DateTime passHour)
        {
            if (deployed is not { } at || at > passHour.AddMinutes(5))
            {
                return [];
            }

            var i = (int)Math.Floor((at - plan.Start).TotalHours) - begin;
            return at.Minute == 0 && at.Second == 0 ? [i] : [i, i + 1];
        }

        var window = (int)settings.HourlyWindow.TotalHours;
        var tracks = new List<Track>();
        var passes = 0;
        foreach (var passHour in plan.PassHours)
        {
            passes++;
            var end = (int)(passHour - plan.Start).TotalHours;
            var begin = Math.Max(0, end - window);
            foreach (var (segment, values) in series)
            {
                var live = LiveDetector.Detect(values.AsSpan(begin, end - begin), SeasonalLayout.Hourly(plan.Start.AddHours(begin)), options with { KnownOnsets = Known(begin, passHour) });
                if (calibration is { } calib && live.TestStart < end - begin)
                {
                    foreach (var l in CalibrationLengths)
                    {
                        var n = end - begin;
                        if (n - l < live.TestStart)
                        {
                            continue;
                        }

                        var mean = 0.0;
                        for (var t = n - l; t < n; t++)
                        {
                            mean += live.Scores[t] / l;
                        }

                        calib.Add(new Fit(segment.Length == 0 ? "total" : "segment", l, mean / Math.Sqrt((1.0 / l) + live.SharedVariance), $"seed {plan.Seed} {segment} as of {passHour:ddd dd HH}h shared {live.SharedVariance:0.0000}"));
                    }
                }

                foreach (var finding in live.Findings.Where(f => DetectionPass.Worth(f, metric, segment)))
                {
                    var onset = begin + finding.Start;
                    var sign = Math.Sign(finding.Relative);
                    var kind = DetectionPass.KindName(finding.Kind);
                    if (tracks.FirstOrDefault(t => t.Segment == segment && t.Sign == sign && Math.Abs(t.Latest - onset) <= settings.SameShiftWithinBuckets) is { } track)
                    {
                        track.Latest = onset;
                        track.Kinds.Add(kind);
                    }
                    else
                    {
                        tracks.Add(new Track(scenario.Name, plan.Seed, segment, sign, onset, end, kind, finding.Relative, finding.Statistic));
                    }
                }
            }
        }

        var spikes = instance.Spikes.Select(s => (int)(s - plan.Start).TotalHours).ToList();
        var falseAlerts = new List<Track>();
        var truths = new List<Track>();
        foreach (var track in tracks)
        {
            var nearSpike = spikes.Any(s => Math.Abs(track.Onset - s) <= 6);
            var liftedBySpike = track.Kinds.Contains("level_shift") && track.Sign > 0 && spikes.Any(s => track.FirstPass > s && s - track.Onset is >= 0 and <= 24);
            var slackEnd = change + (scenario.Kind == ChangeKind.Outage ? scenario.Hours : 0) + 24;
            var forChange = scenario.Sign != 0 && scenario.Kind != ChangeKind.Spike && track.Sign == scenario.Sign && track.FirstPass > change
                && track.Onset >= change - 24 && track.Onset <= slackEnd
                && !(scenario.Kind == ChangeKind.SegmentLevel && track.Segment.Length > 0 && track.Segment != "plan=" + scenario.Plan);
            if ((nearSpike && !liftedBySpike) || forChange)
            {
                if (forChange)
                {
                    truths.Add(track);
                }
            }
            else
            {
                falseAlerts.Add(track);
            }
        }

        var first = truths.OrderBy(t => t.FirstPass).ThenBy(t => t.Segment.Length == 0 ? 0 : 1).FirstOrDefault();
        var context = (instance.Holiday is { } holiday ? $", holiday {holiday:ddd MM-dd}" : "") + string.Concat(instance.Spikes.Select(x => $", spike {x:ddd MM-dd HH}h"));
        var notes = falseAlerts.Select(t => string.Create(CultureInfo.InvariantCulture,
            $"seed {t.Seed} {t.Scenario}[{t.Segment}] {string.Join("→", t.Kinds)} {t.Relative:+0.0%;-0.0%} (G {t.Statistic:0.0}) at {plan.Start.AddHours(t.Onset):ddd MM-dd HH}h, " +
            $"first seen as of {plan.Start.AddHours(t.FirstPass):ddd MM-dd HH}h (change {plan.ChangeAt:ddd MM-dd HH}h{context})")).ToList();
        return new Outcome(
            scenario, plan.Seed, first is null ? null : first.FirstPass - change, first is null ? null : first.Onset - change,
            falseAlerts.Count, falseAlerts.Count(t => t.Onset >= (int)(plan.FirstNewBucket - plan.Start).TotalHours), instance.SeriesCount * passes / 168.0, notes);
    }

    /// <summary>The full replay's percentile of the delays of a scenario's changes (undetected ones later than any pass).</summary>
    private static string Delay(IEnumerable<Outcome> outcomes, double p) =>
        ReplayReport.Percentile(outcomes.Where(o => o.Scenario.Sign != 0 && o.Scenario.Kind != ChangeKind.Spike).Select(o => o.Delay), p);
}
