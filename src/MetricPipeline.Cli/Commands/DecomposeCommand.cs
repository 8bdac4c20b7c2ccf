using System.CommandLine;
using System.Globalization;
using System.Text;
using MetricPipeline.Analysis.Decomposition;

namespace MetricPipeline.Cli.Commands;

/// <summary>
/// <c>metricpipe decompose</c>: STL of a CSV series (one period) or MSTL (several), parameters and defaults as in
/// R's <c>stats::stl</c> and <c>forecast::mstl</c>; writes CSV to stdout.
/// </summary>
internal static class DecomposeCommand
{
    private const string Name = "decompose";

    public static Command Create()
    {
        var input = new Option<FileInfo>("--input") { Description = "CSV with a header; series in column y (or the last column); column t is carried through", Required = true };
        var period = new Option<string>("--period")
        {
            Description = "Period in observations (R's frequency), e.g. 24; several, e.g. 24,168, run MSTL as R's forecast::mstl",
            Required = true,
        };
        var seasonal = new Option<string?>("--seasonal")
        {
            Description = "s.window: an odd number of cycles, or 'periodic'. R's stl has no default; here it is 'periodic' for one period, "
                + "and 7 + 4·i for the i-th period (ascending) with several, as forecast::mstl. With several periods a value applies to all",
        };
        var trend = WholeNumber("--trend", "t.window (default nextodd(ceiling(1.5·period / (1 − 1.5/s.window))))");
        var lowPass = WholeNumber("--low-pass", "l.window (default: the least odd number ≥ period)");
        var seasonalDegree = WholeNumber("--seasonal-degree", "s.degree, 0 or 1 (default 0)");
        var trendDegree = WholeNumber("--trend-degree", "t.degree, 0 or 1 (default 1)");
        var lowPassDegree = WholeNumber("--low-pass-degree", "l.degree, 0 or 1 (default: t.degree)");
        var seasonalJump = WholeNumber("--seasonal-jump", "s.jump (default ceiling(s.window/10))");
        var trendJump = WholeNumber("--trend-jump", "t.jump (default ceiling(t.window/10))");
        var lowPassJump = WholeNumber("--low-pass-jump", "l.jump (default ceiling(l.window/10))");
        var inner = WholeNumber("--inner", "inner iterations (default 2, robust: 1)");
        var outer = WholeNumber("--outer", "outer (robustness) iterations (default 0, robust: 15)");
        var robust = new Option<bool>("--robust") { Description = "robust fitting (bisquare weights from 6 × median |remainder|)" };

        var command = new Command(Name, "STL (one period) or MSTL (several) of a CSV series, as R's stl / forecast::mstl; writes CSV t,y,seasonal,trend,remainder (MSTL: t,y,trend,seasonal<P>…,remainder) to stdout")
        {
            input, period, seasonal, trend, lowPass, seasonalDegree, trendDegree, lowPassDegree,
            seasonalJump, trendJump, lowPassJump, inner, outer, robust,
        };

        command.SetAction(parse =>
        {
            try
            {
                var periods = ParsePeriods(parse.GetValue(period)!);
                var (isPeriodic, seasonalWindow) = ParseSeasonal(parse.GetValue(seasonal));
                var series = SeriesCsv.Read(parse.GetValue(input)!);
                var options = new StlOptions
                {
                    Period = periods[0],
                    SeasonalWindow = seasonalWindow,
                    SeasonalDegree = parse.GetValue(seasonalDegree) ?? 0,
                    TrendWindow = parse.GetValue(trend),
                    TrendDegree = parse.GetValue(trendDegree) ?? 1,
                    LowPassWindow = parse.GetValue(lowPass),
                    LowPassDegree = parse.GetValue(lowPassDegree),
                    SeasonalJump = parse.GetValue(seasonalJump),
                    TrendJump = parse.GetValue(trendJump),
                    LowPassJump = parse.GetValue(lowPassJump),
                    Inner = parse.GetValue(inner),
                    Outer = parse.GetValue(outer),
                    Robust = parse.GetValue(robust),
                };

                var csv = periods.Length == 1
                    ? FormatStl(series, Stl.Decompose(series.Y, options))
                    : FormatMstl(series, DecomposeSeveral(series, periods, options, isPeriodic, seasonalWindow));
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(Encoding.UTF8.GetBytes(csv));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"{Name}: {OneLine(e)}");
                return 1;
            }
        });
        return command;
    }

    private static MstlResult DecomposeSeveral(CsvSeries series, int[] periods, StlOptions options, bool isPeriodic, int? seasonalWindow)
    {
        var kept = Mstl.UsablePeriods(periods, series.Y.Length);
        if (kept.Count < periods.Length)
        {
            var dropped = periods.Where(p => !kept.Contains(p));
            Console.Error.WriteLine($"{Name}: warning: dropped period(s) {string.Join(",", dropped)}: fewer than two full cycles in {series.Y.Length} points (as forecast::mstl)");
        }

        var mstlOptions = new MstlOptions
        {
            SeasonalWindows = isPeriodic || seasonalWindow is not null ? [seasonalWindow] : null,
            Stl = options,
        };
        return Mstl.Decompose(series.Y, periods, mstlOptions);
    }

    // An integer option whose parse error names the option and the bad value (not a .NET type name).
    private static Option<int?> WholeNumber(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var token = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            result.AddError($"{name} '{token}' is not a whole number");
            return null;
        },
    };

    private static string OneLine(Exception e)
    {
        var message = e is ArgumentException { ParamName: { } parameter } ? e.Message.Replace($" (Parameter '{parameter}')", string.Empty, StringComparison.Ordinal) : e.Message;
        return message.ReplaceLineEndings(" ");
    }

    private static int[] ParsePeriods(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var periods = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out periods[i]) || periods[i] < 2)
            {
                throw new ArgumentException($"--period '{text}': each period must be a whole number of observations ≥ 2, e.g. --period 24 or --period 24,168");
            }
        }

        return periods;
    }

    // "periodic" (or omitted) → periodic for STL; a number → that s.window. Omitted with several periods → MSTL's defaults.
    private static (bool IsPeriodic, int? Window) ParseSeasonal(string? text)
    {
        if (text is null)
        {
            return (false, null);
        }

        if (string.Equals(text.Trim(), "periodic", StringComparison.OrdinalIgnoreCase))
        {
            return (true, null);
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var window) && window >= 1
            ? (false, window)
            : throw new ArgumentException($"--seasonal '{text}': give a positive whole number of cycles (e.g. 7) or 'periodic'");
    }

    private static string FormatStl(CsvSeries series, StlResult result)
    {
        var csv = new StringBuilder((series.Y.Length + 1) * 96);
        csv.Append("t,y,seasonal,trend,remainder\n");
        for (var i = 0; i < series.Y.Length; i++)
        {
            AppendT(csv, series, i);
            Append(csv, series.Y[i]);
            Append(csv, result.Seasonal[i]);
            Append(csv, result.Trend[i]);
            Append(csv, result.Remainder[i]);
            csv.Length--;
            csv.Append('\n');
        }

        return csv.ToString();
    }

    private static string FormatMstl(CsvSeries series, MstlResult result)
    {
        var csv = new StringBuilder((series.Y.Length + 1) * 128);
        csv.Append("t,y,trend,");
        foreach (var p in result.Periods)
        {
            csv.Append("seasonal").Append(p.ToString(CultureInfo.InvariantCulture)).Append(',');
        }

        csv.Append("remainder\n");
        for (var i = 0; i < series.Y.Length; i++)
        {
            AppendT(csv, series, i);
            Append(csv, series.Y[i]);
            Append(csv, result.Trend[i]);
            foreach (var seasonal in result.Seasonals)
            {
                Append(csv, seasonal[i]);
            }

            Append(csv, result.Remainder[i]);
            csv.Length--;
            csv.Append('\n');
        }

        return csv.ToString();
    }

    private static void AppendT(StringBuilder csv, CsvSeries series, int i)
    {
        var t = series.T?[i] ?? i.ToString(CultureInfo.InvariantCulture);
        if (t.Contains(',', StringComparison.Ordinal) || t.Contains('"', StringComparison.Ordinal))
        {
            t = $"\"{t.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
        }

        csv.Append(t).Append(',');
    }

    // Round-trip form, so the numbers read back to the identical doubles.
    private static void Append(StringBuilder csv, double value) =>
        csv.Append(value.ToString("R", CultureInfo.InvariantCulture)).Append(',');
}
