using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MetricPipeline.LoadRun;

namespace MetricPipeline.LiveReplay;

/// <summary>
/// The live replay benchmark (issue 8): for each seed a fresh Postgres database with five weeks of hourly data of every
/// scenario, the real detection pass run as of every hour from a day before the change to two days after it, and per
/// scenario the detection delay, change-time error, deployment naming, outage and spike handling and false alerts.
/// Prints the table and writes it as markdown.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ReplayOptions options;
        try
        {
            options = ReplayOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        if (options.DetectorOnly)
        {
            return DetectorOnly.Run(options);
        }

        var root = BenchServices.RepositoryRoot();
        var services = await BenchServices.DiscoverAsync(root);
        var scenarios = options.Scenarios;
        ReplayOptions.RequireSteady(options, scenarios);
        var seeds = Enumerable.Range(options.FirstSeed, options.Seeds).ToList();
        var now = DateTime.UtcNow;
        var loadBefore = BenchServices.Load();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {BenchServices.CpuModel()}, load before: {loadBefore}");
        Console.WriteLine(
            $"replaying {scenarios.Count} scenarios × {seeds.Count} seeds (seeds {seeds[0]}–{seeds[^1]}), {options.Parallel} databases at a time; " +
            $"passes at hh:{options.PassMinute:00} {(options.WeekOfPasses ? "every hour of the data's last week" : "from 24 h before to 48 h after each change")}; alert.minRelativeChange {options.MinRelativeChange}" +
            string.Concat(options.Settings.Select(kv => $", {kv.Key}={kv.Value}")));

        var watch = Stopwatch.StartNew();
        var results = new ConcurrentBag<SeedResult>();
        await Parallel.ForEachAsync(seeds, new ParallelOptions { MaxDegreeOfParallelism = options.Parallel }, async (seed, ct) =>
        {
            var plan = SeedPlan.Create(seed, scenarios, options.MinRelativeChange, now, options.TagSteady) with { WeekOfPasses = options.WeekOfPasses };
            var result = await SeedRun.RunAsync(services, plan, options, ct);
            results.Add(result);
            var scores = ReplayScore.Score(result).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"seed {seed}: change {plan.ChangeAt:ddd HH}:00, {result.Passes} passes of {result.SeriesPerPass} series in {result.PassSeconds:0.0} s " +
                $"({1000 * result.PassSeconds / result.Passes:0} ms a pass), {result.Alerts.Count} alerts, {scores.Sum(s => s.FalseAlerts)} false; " +
                $"delays {string.Join(" ", scores.Where(s => s.Scenario.Sign != 0).Select(s => $"{s.Scenario.Name}={(s.Delay is { } d ? d.ToString(CultureInfo.InvariantCulture) : "-")}"))}"));
        });

        var all = results.OrderBy(r => r.Plan.Seed).SelectMany(ReplayScore.Score).ToList();
        var passes = results.Sum(r => r.Passes);
        var passSeconds = results.Sum(r => r.PassSeconds);
        var series = results.Sum(r => (double)r.SeriesPerPass * r.Passes);
        var report = new StringBuilder();
        report.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Live replay, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, commit {Commit(root)}: {scenarios.Count} scenarios × {seeds.Count} seeds, {passes} passes " +
            $"({1000 * passSeconds / passes:0} ms a pass, {1000 * passSeconds / series:0.0} ms a series, {options.Parallel} at a time), " +
            $"{watch.Elapsed.TotalMinutes:0.0} min in all; load {loadBefore} before, {BenchServices.Load()} after (shared machine)."));
        report.AppendLine();
        report.Append(ReplayReport.Table(all));
        report.AppendLine();
        report.Append(ReplayReport.Acceptance(all));
        var notes = all.SelectMany(s => s.FalseAlertNotes).ToList();
        if (notes.Count > 0)
        {
            report.AppendLine();
            report.AppendLine($"False alerts ({notes.Count}{(notes.Count > 30 ? $", first 30; all in {options.Output}" : "")}):");
            foreach (var note in notes.Take(30))
            {
                report.AppendLine($"- {note}");
            }
        }

        Console.WriteLine();
        Console.Write(report);
        if (notes.Count > 30)
        {
            report.AppendLine("- …");
            foreach (var note in notes.Skip(30))
            {
                report.AppendLine($"- {note}");
            }
        }

        report.AppendLine();
        report.Append(ReplayReport.Changes(all));
        await File.WriteAllTextAsync(options.Output, report.ToString());
        Console.WriteLine();
        Console.WriteLine($"written to {Path.GetFullPath(options.Output)}");
        return 0;
    }

    private static string Commit(string root)
    {
        try
        {
            var start = new ProcessStartInfo("git", ["-C", root, "rev-parse", "--short", "HEAD"]) { RedirectStandardOutput = true, UseShellExecute = false };
            using var git = Process.Start(start)!;
            var head = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return head.Length > 0 ? head : "?";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }
}
