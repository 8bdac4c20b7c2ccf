using System.Globalization;
using System.Text;

namespace MetricPipeline.LiveReplay;

/// <summary>The per-scenario table and the acceptance summary of issue 8, as markdown.</summary>
public static class ReplayReport
{
    public static string Table(IReadOnlyList<InstanceScore> scores)
    {
        var text = new StringBuilder();
        text.AppendLine("| scenario | seeds | detected | delay median | delay p90 | first estimate (median) | change time ±1 bucket (first alert) | ±1 bucket (after the last pass) | deployment named | false alerts (level_shift) / series-weeks | outage alerted ≤ 1 h | resolved after return | spike → level_shift |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var group in scores.GroupBy(s => s.Scenario.Name))
        {
            var s = group.ToList();
            var scenario = s[0].Scenario;
            var detected = s.Where(x => x.Delay is not null).ToList();
            var changing = scenario.Kind != ChangeKind.Steady;
            var unit = scenario.Kind == ChangeKind.DailyLevel ? " d" : " h";
            var tagged = detected.Where(x => x.Tagged).ToList();
            var outage = scenario.Kind == ChangeKind.Outage;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {scenario.Name} | {s.Count} | {(changing ? $"{detected.Count}/{s.Count}" : "–")} " +
                $"| {(changing ? Percentile(s, 0.5) + unit : "–")} | {(changing ? Percentile(s, 0.9) + unit : "–")} | {MedianEstimate(detected)} " +
                $"| {(changing ? Share(detected.Count(x => Math.Abs(x.ChangeTimeError!.Value) <= 1), detected.Count) : "–")} " +
                $"| {(changing ? Share(detected.Count(x => Math.Abs(x.FinalChangeTimeError!.Value) <= 1), detected.Count) : "–")} " +
                $"| {(tagged.Count > 0 ? Share(tagged.Count(x => x.DeploymentNamed), tagged.Count) : "–")} " +
                $"| {s.Sum(x => x.FalseAlerts)} ({s.Sum(x => x.FalseLevelShifts)}) / {s.Sum(x => x.SeriesWeeks):0.#} " +
                $"| {(outage ? Share(s.Count(x => x.Delay <= 2), s.Count) : "–")} " +
                $"| {(outage ? Share(detected.Count(x => x.Resolved), detected.Count) + ResolveLag(detected) : "–")} " +
                $"| {(scenario.Kind == ChangeKind.Spike || scenario.Steady == SteadyVariant.Spikes && scenario.Kind == ChangeKind.Steady ? s.Count(x => x.SpikeAsLevelShift).ToString(CultureInfo.InvariantCulture) : "–")} |"));
        }

        return text.ToString();
    }

    /// <summary>Issue 8's acceptance points 1–3, each with the measured figure and whether it holds.</summary>
    public static string Acceptance(IReadOnlyList<InstanceScore> scores)
    {
        var text = new StringBuilder();
        void Line(string target, string measured, bool? holds) =>
            text.AppendLine($"- {target}: {measured} — **{(holds is null ? "not measured" : holds.Value ? "holds" : "does not hold")}**");

        foreach (var (percent, target) in new[] { (20, 2), (10, 4), (5, 12) })
        {
            var s = scores.Where(x => x.Scenario.Name == $"drop-{percent}%").ToList();
            var median = MedianDelay(s);
            Line($"median delay ≤ {target} h for a {percent}% drop of the total", s.Count == 0 ? "–" : $"{Percentile(s, 0.5)} h over {s.Count} seeds", s.Count == 0 ? null : median <= target);
        }

        var drops = scores.Where(x => x.Scenario.Kind is ChangeKind.Level or ChangeKind.SegmentLevel && x.Scenario.Factor < 1 && x.Delay is not null).ToList();
        var dated = drops.Count(x => Math.Abs(x.ChangeTimeError!.Value) <= 1);
        Line("change time within ±1 bucket for ≥ 90% of detected drops (hourly total and segment drops), as first alerted", Share(dated, drops.Count), drops.Count == 0 ? null : dated >= 0.9 * drops.Count);
        var redated = drops.Count(x => Math.Abs(x.FinalChangeTimeError!.Value) <= 1);
        Line("the same, as the alert stands after the last pass (48 h after the change)", Share(redated, drops.Count), drops.Count == 0 ? null : redated >= 0.9 * drops.Count);
        var listed = drops.Where(x => x.Scenario.Name is "drop-5%" or "drop-10%" or "drop-20%").ToList();
        var listedDated = listed.Count(x => Math.Abs(x.FinalChangeTimeError!.Value) <= 1);
        Line("the same for the drops of the total the delay targets name (5, 10, 20%), after the last pass", Share(listedDated, listed.Count), listed.Count == 0 ? null : listedDated >= 0.9 * listed.Count);

        var tagged = scores.Where(x => x.Scenario.Sign < 0 && x.Scenario.Taggable && x.Tagged && x.Delay is not null).ToList();
        var named = tagged.Count(x => x.DeploymentNamed);
        Line("deployment 10–60 min before a drop named on ≥ 95% (detected tagged drops, all grains and kinds), by the first alert", Share(named, tagged.Count), tagged.Count == 0 ? null : named >= 0.95 * tagged.Count);
        var namedAtLast = tagged.Count(x => x.DeploymentNamedAtLast);
        Line("the same, by the alert as it stands after the last pass", Share(namedAtLast, tagged.Count), tagged.Count == 0 ? null : namedAtLast >= 0.95 * tagged.Count);

        var outages = scores.Where(x => x.Scenario.Kind == ChangeKind.Outage).ToList();
        var prompt = outages.Count(x => x.Delay <= 2);
        Line("outage of 1–3 h alerted within 1 h of its first complete bucket", Share(prompt, outages.Count), outages.Count == 0 ? null : prompt == outages.Count);
        var resolved = outages.Count(x => x.Resolved);
        Line("outage alert resolves when traffic returns (by 48 h after)", Share(resolved, outages.Count), outages.Count == 0 ? null : resolved == outages.Count);

        var spikes = scores.Where(x => x.Scenario.Kind == ChangeKind.Spike || (x.Scenario.Kind == ChangeKind.Steady && x.Scenario.Steady == SteadyVariant.Spikes)).ToList();
        var spikeShifts = spikes.Count(x => x.SpikeAsLevelShift);
        Line("a single-hour spike is never a level shift", $"{spikeShifts} of {spikes.Count} series with spikes had a level_shift alert at a spike", spikes.Count == 0 ? null : spikeShifts == 0);

        var steady = scores.Where(x => x.Scenario.Kind == ChangeKind.Steady).ToList();
        var falseAlerts = steady.Sum(x => x.FalseAlerts);
        var weeks = steady.Sum(x => x.SeriesWeeks);
        var shifts = steady.Sum(x => x.FalseLevelShifts);
        Line(
            "steady series: ≤ 1 false alert per 50 series-weeks",
            string.Create(CultureInfo.InvariantCulture, $"{falseAlerts} in {weeks:0.#} series-weeks = 1 per {Per(weeks, falseAlerts)} ({shifts} of them level shifts: 1 per {Per(weeks, shifts)})"),
            steady.Count == 0 ? null : falseAlerts <= weeks / 50);
        var inPeriod = steady.Sum(x => x.FalseAlertsInPeriod);
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"- of them dated from the first pass's newest bucket on (the first pass also reads the 72 h before it, which no earlier pass counted): {inPeriod} = 1 per {Per(weeks, inPeriod)}"));
        var all = scores.Sum(x => x.FalseAlerts);
        var allWeeks = scores.Sum(x => x.SeriesWeeks);
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- all scenarios: {all} false alerts in {allWeeks:0.#} series-weeks (every series of every scenario, alerts matching no true change)"));
        return text.ToString();
    }

    /// <summary>Every change of every seed as the detector saw it (the report file's appendix): what to look into.</summary>
    public static string Changes(IReadOnlyList<InstanceScore> scores)
    {
        var text = new StringBuilder();
        text.AppendLine("Changes (seed, scenario, change, delay, change-time error first → after the last pass, series, kind, first estimate, deployment):");
        foreach (var x in scores.Where(x => x.Scenario.Kind != ChangeKind.Steady).OrderBy(x => x.Scenario.Name, StringComparer.Ordinal).ThenBy(x => x.Seed))
        {
            var deployment = !x.Tagged ? "" : (x.DeploymentNamed ? ", deployment named" : ", deployment NOT named") + (x.DeploymentNamedAtLast == x.DeploymentNamed ? "" : x.DeploymentNamedAtLast ? " (named after the last pass)" : " (NOT named after the last pass)");
            var seen = x.Delay is null
                ? "not detected"
                : FormattableString.Invariant($"delay {x.Delay}, error {x.ChangeTimeError:+0;-0;0} → {x.FinalChangeTimeError:+0;-0;0}, [{x.Segment}] {x.Kind} {x.RelativeChange:+0.0%;-0.0%}{deployment}");
            text.AppendLine(FormattableString.Invariant($"- {x.Seed} {x.Scenario.Name} {x.ChangeAt:ddd MM-dd HH}h: {seen}"));
        }

        return text.ToString();
    }

    /// <summary>
    /// Nearest-rank percentile of <paramref name="delays"/>, an undetected change (null) counting as later than any pass:
    /// "none" when the rank falls on one, "–" without changes.
    /// </summary>
    internal static string Percentile(IEnumerable<int?> delays, double p) => NearestRank(delays, p) switch
    {
        null => "–",
        int.MaxValue => "none",
        var value => value.Value.ToString(CultureInfo.InvariantCulture),
    };

    private static string Percentile(List<InstanceScore> scores, double p) => Percentile(scores.Select(x => x.Delay), p);

    private static double MedianDelay(List<InstanceScore> scores) => NearestRank(scores.Select(x => x.Delay), 0.5) ?? double.NaN;

    private static int? NearestRank(IEnumerable<int?> delays, double p)
    {
        var sorted = delays.Select(d => d ?? int.MaxValue).Order().ToList();
        return sorted.Count == 0 ? null : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    /// <summary>The median relative change the first alert for each detected change reported.</summary>
    private static string MedianEstimate(List<InstanceScore> detected)
    {
        var values = detected.Select(x => x.RelativeChange!.Value).Order().ToList();
        return values.Count == 0 ? "–" : values[(values.Count - 1) / 2].ToString("+0.0%;-0.0%", CultureInfo.InvariantCulture);
    }

    private static string ResolveLag(List<InstanceScore> detected)
    {
        var hours = detected.Where(x => x.ResolvedHoursAfterReturn is not null).Select(x => x.ResolvedHoursAfterReturn!.Value).Order().ToList();
        return hours.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" (median {hours[(hours.Count - 1) / 2]:0} h after)");
    }

    private static string Per(double weeks, int alerts) => alerts == 0 ? "∞" : (weeks / alerts).ToString("0.#", CultureInfo.InvariantCulture);

    private static string Share(int part, int whole) =>
        whole == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{part}/{whole} ({100.0 * part / whole:0}%)");
}
