namespace MetricPipeline.LoadRun;

/// <summary>
/// The command line of the load run: <c>--events N --clients K --batch B --duplicates F --users U --hours H --repeat R</c>.
/// </summary>
public sealed record LoadRunOptions(
    int Events, int Clients, int Batch, double Duplicates, int Repeat, bool SkipCeilings, IReadOnlyDictionary<string, string> ServerSettings,
    int Users = 100_000, int LiveHours = 3, bool SketchAccuracy = false)
{
    public const string Usage =
        "usage: dotnet run -c Release --project bench/MetricPipeline.LoadRun -- [--events 1000000] [--clients 8] [--batch 1000] [--duplicates 0.03] " +
        "[--users 100000] [--hours 3] [--repeat 1] [--skip-ceilings] [--server Key=Value ...]\n" +
        "       dotnet run -c Release --project bench/MetricPipeline.LoadRun -- --sketch-accuracy   (distinct-user sketch error and the demo database's size)";

    public static LoadRunOptions Parse(string[] args)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var options = new LoadRunOptions(1_000_000, 8, 1000, 0.03, 1, false, settings);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name == "--skip-ceilings")
            {
                options = options with { SkipCeilings = true };
                continue;
            }

            if (name == "--sketch-accuracy")
            {
                options = options with { SketchAccuracy = true };
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value\n{Usage}");
            }

            var value = args[++i];
            if (name == "--server")
            {
                var eq = value.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new ArgumentException($"--server takes a server setting as Key=Value (e.g. Rollup__ConcurrentBatches=4), got \"{value}\"");
                }

                settings[value[..eq]] = value[(eq + 1)..];
                continue;
            }

            options = name switch
            {
                "--events" => options with { Events = Positive(name, value) },
                "--clients" => options with { Clients = Positive(name, value) },
                "--batch" => options with { Batch = Positive(name, value) },
                "--repeat" => options with { Repeat = Positive(name, value) },
                "--users" => options with { Users = Positive(name, value) },
                "--hours" => options with { LiveHours = Positive(name, value) },
                "--duplicates" => options with { Duplicates = Fraction(name, value) },
                _ => throw new ArgumentException($"unknown option {name}\n{Usage}"),
            };
        }

        return options;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive whole number, got \"{value}\"");

    private static double Fraction(string name, string value) =>
        double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var f) && f is >= 0 and < 0.5
            ? f
            : throw new ArgumentException($"{name} must be a fraction in [0, 0.5), e.g. 0.03, got \"{value}\"");
}
