using System.Globalization;

namespace MetricPipeline.Soak;

/// <summary>
/// The command line of the soak: <c>--duration 30m --rate 3000 --batch 500 --clients 4 --sample 30s --window 5m
/// --history-days 28 --cron "0 * * * * ?" [--server Key=Value ...]</c>.
/// </summary>
public sealed record SoakOptions(
    TimeSpan Duration, int Rate, int Batch, int Clients, TimeSpan Sample, TimeSpan Window, int HistoryDays, int PrefillRate,
    double Duplicates, string Cron, IReadOnlyDictionary<string, string> ServerSettings)
{
    public const string Usage =
        "usage: dotnet run -c Release --project bench/MetricPipeline.Soak -- [--duration 30m] [--rate 3000] [--batch 500] [--clients 4] " +
        "[--sample 30s] [--window 5m] [--history-days 28] [--prefill-rate 6000] [--duplicates 0.02] [--cron \"0 * * * * ?\"] [--server Key=Value ...]";

    public static SoakOptions Parse(string[] args)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var options = new SoakOptions(
            TimeSpan.FromMinutes(30), 3000, 500, 4, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), 28, 6000, 0.02, "0 * * * * ?", settings);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
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
                    throw new ArgumentException($"--server takes a server setting as Key=Value (e.g. Detector__MaxSegmentsPerNode=3), got \"{value}\"");
                }

                settings[value[..eq]] = value[(eq + 1)..];
                continue;
            }

            options = name switch
            {
                "--duration" => options with { Duration = Span(name, value) },
                "--sample" => options with { Sample = Span(name, value) },
                "--window" => options with { Window = Span(name, value) },
                "--rate" => options with { Rate = Positive(name, value) },
                "--batch" => options with { Batch = Positive(name, value) },
                "--clients" => options with { Clients = Positive(name, value) },
                "--history-days" => options with { HistoryDays = NonNegative(name, value) },
                "--prefill-rate" => options with { PrefillRate = Positive(name, value) },
                "--duplicates" => options with { Duplicates = Fraction(name, value) },
                "--cron" => options with { Cron = value },
                _ => throw new ArgumentException($"unknown option {name}\n{Usage}"),
            };
        }

        if (options.Window * 2 > options.Duration)
        {
            throw new ArgumentException($"--window {options.Window} must be at most half of --duration {options.Duration}: the first and last windows are compared");
        }

        return options;
    }

    /// <summary>A duration as <c>90s</c>, <c>30m</c>, <c>1h</c> or a plain number of seconds.</summary>
    private static TimeSpan Span(string name, string value)
    {
        var (unit, number) = value.Length > 0 && char.IsLetter(value[^1]) ? (value[^1], value[..^1]) : ('s', value);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            throw new ArgumentException($"{name} must be a positive duration such as 90s, 30m or 1h, got \"{value}\"");
        }

        return unit switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            _ => throw new ArgumentException($"{name} takes the units s, m or h, got \"{value}\""),
        };
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive whole number, got \"{value}\"");

    private static int NonNegative(string name, string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : throw new ArgumentException($"{name} must be a whole number ≥ 0, got \"{value}\"");

    private static double Fraction(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f is >= 0 and < 0.5
            ? f
            : throw new ArgumentException($"{name} must be a fraction in [0, 0.5), e.g. 0.02, got \"{value}\"");
}
