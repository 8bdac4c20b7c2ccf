using System.Globalization;

namespace MetricPipeline.LiveReplay;

/// <summary>The command line of the live replay benchmark.</summary>
public sealed record ReplayOptions(
    int Seeds, int FirstSeed, int Parallel, int PassMinute, double MinRelativeChange, string Output, IReadOnlyList<string> Only, IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>Run the live detector on the generated series without a database (<see cref="LiveReplay.DetectorOnly"/>).</summary>
    public bool DetectorOnly { get; init; }

    /// <summary>Passes over the data's last week (<see cref="SeedPlan.WeekOfPasses"/>).</summary>
    public bool WeekOfPasses { get; init; }

    /// <summary>
    /// Steady series also get a deployment tagged 10–60 min before the seed's change hour that changes nothing: the
    /// false alerts of the watch after a deployment (<c>--tag-steady</c>).
    /// </summary>
    public bool TagSteady { get; init; }

    /// <summary>With <see cref="DetectorOnly"/>: also report how well the stated variances fit the errors.</summary>
    public bool Calibration { get; init; }

    public const string Usage =
        "usage: dotnet run -c Release --project bench/MetricPipeline.LiveReplay -- [--quick] [--detector-only] [--calibration] [--week-of-passes] [--tag-steady] [--seeds 16] [--first-seed 1] [--parallel 2] " +
        "[--pass-minute 5] [--min-relative-change 0.02] [--scenario NAME ...] [--out replay-results.md] [--set Detector__Key=Value ...]";

    public static ReplayOptions Parse(string[] args)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var only = new List<string>();
        var options = new ReplayOptions(16, 1, 2, 5, 0.02, "replay-results.md", only, settings);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name == "--quick")
            {
                options = options with { Seeds = 4 };
                continue;
            }

            if (name == "--detector-only")
            {
                options = options with { DetectorOnly = true };
                continue;
            }

            if (name == "--week-of-passes")
            {
                options = options with { WeekOfPasses = true };
                continue;
            }

            if (name == "--tag-steady")
            {
                options = options with { TagSteady = true };
                continue;
            }

            if (name == "--calibration")
            {
                options = options with { DetectorOnly = true, Calibration = true };
                continue;
            }

            if (name is "-h" or "--help")
            {
                throw new ArgumentException(Usage);
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value\n{Usage}");
            }

            var value = args[++i];
            switch (name)
            {
                case "--set":
                    var eq = value.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        throw new ArgumentException($"--set takes a setting as Key=Value (e.g. Detector__SettleDelay=00:05:00), got \"{value}\"");
                    }

                    settings[value[..eq]] = value[(eq + 1)..];
                    break;
                case "--scenario":
                    if (!Scenario.All.Any(s => s.Name == value))
                    {
                        throw new ArgumentException($"unknown scenario \"{value}\"; known: {string.Join(", ", Scenario.All.Select(s => s.Name))}");
                    }

                    only.Add(value);
                    break;
                case "--out":
                    options = options with { Output = value };
                    break;
                case "--seeds":
                    options = options with { Seeds = Positive(name, value) };
                    break;
                case "--first-seed":
                    options = options with { FirstSeed = Positive(name, value) };
                    break;
                case "--parallel":
                    options = options with { Parallel = Positive(name, value) };
                    break;
                case "--pass-minute":
                    options = options with { PassMinute = int.TryParse(value, CultureInfo.InvariantCulture, out var m) && m is >= 0 and < 60 ? m : throw new ArgumentException($"--pass-minute must be 0–59, got \"{value}\"") };
                    break;
                case "--min-relative-change":
                    options = options with
                    {
                        MinRelativeChange = double.TryParse(value, CultureInfo.InvariantCulture, out var f) && f is > 0 and < 1
                            ? f
                            : throw new ArgumentException($"--min-relative-change must be a fraction in (0, 1), got \"{value}\""),
                    };
                    break;
                default:
                    throw new ArgumentException($"unknown option {name}\n{Usage}");
            }
        }

        return options;
    }

    /// <summary>A week of passes ends 48–150 h after a change and may begin after it: it measures steady scenarios only.</summary>
    public static void RequireSteady(ReplayOptions options, IEnumerable<Scenario> scenarios)
    {
        if (options.WeekOfPasses && scenarios.FirstOrDefault(s => s.Kind != ChangeKind.Steady) is { } changing)
        {
            throw new ArgumentException($"--week-of-passes measures the steady scenarios' false alerts; name them with --scenario (\"{changing.Name}\" has a change)");
        }
    }

    /// <summary>The scenarios to run: all, or those named with <c>--scenario</c>.</summary>
    public IReadOnlyList<Scenario> Scenarios => Only.Count == 0 ? Scenario.All : [.. Scenario.All.Where(s => Only.Contains(s.Name))];

    private static int Positive(string name, string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive whole number, got \"{value}\"");
}
