using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MetricPipeline.Analysis.Detection;

namespace MetricPipeline.Cli.Commands;

/// <summary><c>metricpipe detect</c>: the per-series detector (decomposition, level shifts, anomalies) on a CSV series.</summary>
internal static class DetectCommand
{
    private const string Name = "detect";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static Command Create()
    {
        var input = new Option<FileInfo>("--input") { Description = "CSV with a header; series in column y (or the last column)", Required = true };
        var period = new Option<string>("--period") { Description = "Seasonal period(s), e.g. 24 or 24,168 (several: MSTL)", Required = true };
        var direction = new Option<string>("--direction") { Description = "up (higher is better, default) or down", DefaultValueFactory = _ => "up" };
        var scale = new Option<string>("--scale")
        {
            Description = "multiplicative (detect on log y: seasonality and shifts scale with the level, as product counts do), additive, or auto (default: multiplicative when every value is > 0)",
            DefaultValueFactory = _ => "auto",
        };
        var command = new Command(Name, "Level shifts and anomalies of a CSV series; writes JSON {\"changePoints\":[…],\"anomalies\":[…]}")
        {
            input, period, direction, scale,
        };
        command.SetAction(parse =>
        {
            try
            {
                var periods = ParsePeriods(parse.GetValue(period)!);
                var metricDirection = parse.GetValue(direction)?.ToLowerInvariant() switch
                {
                    "up" => MetricDirection.Up,
                    "down" => MetricDirection.Down,
                    var other => throw new ArgumentException($"--direction '{other}' is unknown; use up or down"),
                };
                var y = SeriesCsv.Read(parse.GetValue(input)!).Y;
                ChangePointsCommand.RequireFinite(y);
                var multiplicative = parse.GetValue(scale)?.ToLowerInvariant() switch
                {
                    "auto" => y.All(v => v > 0),
                    "multiplicative" => y.All(v => v > 0) ? true : throw new ArgumentException("--scale multiplicative needs every value > 0; use --scale additive"),
                    "additive" => false,
                    var other => throw new ArgumentException($"--scale '{other}' is unknown; use auto, multiplicative or additive"),
                };
                var detection = SeriesDetector.Detect(y, periods, metricDirection, new SeriesDetectorOptions { Multiplicative = multiplicative });
                var output = new
                {
                    changePoints = detection.ChangePoints.Select(c => new { index = c.Index, before = c.Before, after = c.After, relativeChange = c.RelativeChange, score = c.Score }),
                    anomalies = detection.Anomalies.Select(a => new { index = a.Index, value = a.Value, expected = a.Expected, score = a.Score }),
                };
                Console.Out.WriteLine(JsonSerializer.Serialize(output, Json));
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

    private static int[] ParsePeriods(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var periods = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out periods[i]) || periods[i] < 2)
            {
                throw new ArgumentException($"--period '{text}' is invalid: give whole numbers ≥ 2 separated by commas, e.g. 24,168");
            }
        }

        return periods;
    }
}
