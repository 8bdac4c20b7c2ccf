using System.CommandLine;
using System.Text.Json;
using MetricPipeline.Analysis.ChangePoints;
using MetricPipeline.Analysis.Decomposition;

namespace MetricPipeline.Cli.Commands;

/// <summary><c>metricpipe changepoints</c>: change points of a CSV series with the single default configuration.</summary>
internal static class ChangePointsCommand
{
    private const string Name = "changepoints";

    public static Command Create()
    {
        var input = new Option<FileInfo>("--input") { Description = "CSV with a header; series in column y (or the last column)", Required = true };
        var period = new Option<int?>("--period") { Description = "Seasonal period: remove an STL seasonal component (s.window 7) first" };
        var method = new Option<string>("--method") { Description = "pelt (default) or binseg", DefaultValueFactory = _ => "pelt" };
        var penalty = new Option<double?>("--penalty") { Description = "Penalty per change point on the unit-noise scale (default 8·log n)" };
        var command = new Command(Name, "Change points of a CSV series; writes JSON {\"changePoints\":[i,…]} (index of the first point of each new segment)")
        {
            input, period, method, penalty,
        };
        command.SetAction(parse =>
        {
            try
            {
                var options = ChangePointDetector.Default with
                {
                    Method = parse.GetValue(method)?.ToLowerInvariant() switch
                    {
                        "pelt" => SearchMethod.Pelt,
                        "binseg" => SearchMethod.BinarySegmentation,
                        var other => throw new ArgumentException($"--method '{other}' is unknown; use pelt or binseg"),
                    },
                    Penalty = parse.GetValue(penalty) is { } p && !(p >= 0 && double.IsFinite(p))
                        ? throw new ArgumentException($"--penalty {p} is invalid; give a finite number ≥ 0")
                        : parse.GetValue(penalty),
                };
                var y = SeriesCsv.Read(parse.GetValue(input)!).Y;
                RequireFinite(y);
                if (parse.GetValue(period) is { } seasonalPeriod)
                {
                    if (seasonalPeriod < 2 || y.Length < 2 * seasonalPeriod)
                    {
                        throw new ArgumentException($"--period {seasonalPeriod} needs a period ≥ 2 and at least two full cycles ({2 * seasonalPeriod} points); the series has {y.Length}");
                    }

                    var seasonal = Stl.Decompose(y, new StlOptions { Period = seasonalPeriod, SeasonalWindow = 7 }).Seasonal;
                    y = [.. y.Select((v, i) => v - seasonal[i])];
                }

                var points = ChangePointDetector.Detect(y, options);
                Console.Out.WriteLine(JsonSerializer.Serialize(new { changePoints = points }));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"{Name}: {e.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
        });
        return command;
    }

    internal static void RequireFinite(double[] y)
    {
        var bad = Array.FindIndex(y, v => !double.IsFinite(v));
        if (bad >= 0)
        {
            throw new InvalidDataException($"value {bad + 1} of the series is missing or not a finite number; fill or drop it first");
        }
    }
}
